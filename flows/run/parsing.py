"""The ``parse-batch`` task: spaCy alone, in the run's parser processes.

Kept apart from ``flows.run.pipeline`` so that a parser process imports spaCy and Prefect only: unpickling
the task imports this module, and importing the pipeline's analysis, store and output modules (scikit-
learn, SQLAlchemy, Jinja) would add two seconds to every parser's start."""

from functools import lru_cache

from prefect import task
from prefect.cache_policies import NO_CACHE
from spacy.language import Language

from flows.settings import Settings
from nlp.document import Document
from nlp.linguistic import analysis_pipeline, pack_docs, parse

PIPE_BATCH_SIZE = 16


@lru_cache(maxsize=2)
def spacy_pipeline(model: str) -> Language:
    """Once per process: the spaCy pipeline alone."""
    return analysis_pipeline(model)


@task(name="parse-batch", cache_policy=NO_CACHE, persist_result=False)
def parse_batch(documents: list[Document], settings: Settings) -> bytes:
    """spaCy over one batch, nothing else: the docs go back packed for whichever process analyses them."""
    nlp = spacy_pipeline(settings.spacy_model)
    return pack_docs(doc for _, doc in parse(documents, nlp=nlp, batch_size=PIPE_BATCH_SIZE))
