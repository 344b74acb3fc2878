"""Where a saved theme model lives and what its metadata says, readable without scikit-learn: a run
learns which model will analyse its documents (and so which documents are already done) without
loading one."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.taxonomy import Taxonomy

if TYPE_CHECKING:
    from nlp.key_sentences import KeySentenceModel

MODEL_FORMAT = 3
CLASSIFIER_FILE = "classifier.skops"
META_FILE = "model.json"


class ModelError(ValueError):
    """A theme model cannot be used: missing, from another taxonomy, or not a file we trust."""


def read_meta(folder: Path, *, taxonomy: Taxonomy) -> dict[str, Any]:
    """The saved model's metadata, if the folder holds a model of this format for this taxonomy."""
    meta_path, classifier_path = folder / META_FILE, folder / CLASSIFIER_FILE
    if not meta_path.exists() or not classifier_path.exists():
        raise ModelError(f"no theme model in {folder}: run `takeaways train` first")
    meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta["metadata"].get("format") != MODEL_FORMAT:
        raise ModelError(f"the theme model in {folder} was saved by another version: run `takeaways train`")
    if meta["metadata"].get("taxonomy_hash") != taxonomy.digest():
        raise ModelError(
            f"the theme model in {folder} was trained for another taxonomy: run `takeaways train`"
        )
    return meta


def saved_version(folder: Path, *, taxonomy: Taxonomy) -> str:
    """The version of the saved model, from its JSON alone."""
    return str(read_meta(folder, taxonomy=taxonomy)["metadata"].get("version", "untrained"))


def active_model_dir(folders: Sequence[Path], *, taxonomy: Taxonomy) -> Path:
    """The first folder holding a usable model for this taxonomy: the user's trained model first, then
    the one shipped with the project; :class:`ModelError` (the first folder's reason) when none does."""
    problems = []
    for folder in folders:
        try:
            read_meta(folder, taxonomy=taxonomy)
            return folder
        except ModelError as exc:
            problems.append(exc)
    raise problems[0] if problems else ModelError("no model folder given")


def saved_key_sentences(folder: Path, *, taxonomy: Taxonomy) -> KeySentenceModel | None:
    """The saved model's key-sentence scorer, from its JSON alone: choosing takeaways again after an
    analyst's decision needs it, and not the classifier."""
    from nlp.key_sentences import KeySentenceModel

    data = read_meta(folder, taxonomy=taxonomy).get("key_sentences")
    return KeySentenceModel.from_json(data) if data else None
