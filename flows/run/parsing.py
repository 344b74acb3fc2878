"""The ``parse-batch`` task: spaCy alone, in the run's parser processes.

Kept apart from ``flows.run.pipeline`` so that a parser process imports spaCy and Prefect only: unpickling
the task imports this module, and importing the pipeline's analysis, store and output modules (scikit-
learn, SQLAlchemy, Jinja) would add two seconds to every parser's start."""

from functools import lru_cache

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, Field
from spacy.language import Language
from spacy.tokens import Doc

from flows.settings import Settings
from nlp.document import Document
from nlp.linguistic import analysis_pipeline, pack_docs, parse

PIPE_BATCH_SIZE = 16


@lru_cache(maxsize=2)
def spacy_pipeline(model: str) -> Language:
    """Once per process: the spaCy pipeline alone."""
    return analysis_pipeline(model)


class ParsedBatch(BaseModel):
    """A batch's docs, packed for whichever process analyses them, one per document in order; a document
    spaCy could not parse has an empty doc here and its reason in ``failed``."""

    data: bytes
    failed: dict[int, str] = Field(default_factory=dict)


@task(name="parse-batch", cache_policy=NO_CACHE, persist_result=False)
def parse_batch(documents: list[Document], settings: Settings) -> ParsedBatch:
    """spaCy over one batch, nothing else. If the batch raises, its documents are parsed one at a time,
    so one document spaCy cannot take fails alone, with its own reason, and the others go on."""
    nlp = spacy_pipeline(settings.spacy_model)
    try:
        return ParsedBatch(
            data=pack_docs(doc for _, doc in parse(documents, nlp=nlp, batch_size=PIPE_BATCH_SIZE))
        )
    except Exception:  # noqa: BLE001  # which document, and why, is found out below
        docs: list[Doc] = []
        failed: dict[int, str] = {}
        for i, document in enumerate(documents):
            try:
                docs.extend(doc for _, doc in parse([document], nlp=nlp))
            except Exception as exc:  # noqa: BLE001  # recorded as this document's failure
                docs.append(Doc(nlp.vocab))
                failed[i] = f"spaCy could not parse it: {type(exc).__name__}: {exc}"
        return ParsedBatch(data=pack_docs(docs), failed=failed)
