"""Retrain the theme model with analysts' decisions, and promote it only if it does not score worse.

Analysts' accept / reject / relabel decisions (see :meth:`flows.store.Store.record_decision`) become
labelled sentences that join the corpus labels and the taxonomy's examples. The candidate model is scored
on the held-out evaluation labels, which are never trained on (a reviewed sentence whose text is in the
evaluation set is left out), and replaces the current model only if its micro-F1 is at least the
current model's: a handful of careless decisions must not silently make every later run worse.

Model folders, beside each other in ``settings.models_dir``: ``theme`` (in use), ``theme.previous``
(the one it replaced; :func:`restore_previous_model` swaps them back) and ``theme.new`` (a candidate
being written, never loaded).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language

from flows.atomic import write_text_atomic
from flows.settings import Settings
from flows.store import DecisionRecord, Store
from flows.models.train import evaluate, training_items
from nlp.model_files import ModelError
from nlp.taxonomy import Taxonomy, load_taxonomy
from nlp.training import (
    LabelledSentence,
    ThemeModel,
    load_labels,
    load_model,
    save_model,
    train,
)
from nlp.verdicts import apply_to_themes

PREVIOUS_SUFFIX = ".previous"
STAGING_SUFFIX = ".new"
LAST_RESULT_FILE = "retrain_last.json"
VARIANT = "combined"
"""The variant the pipeline uses, so the one whose score decides promotion."""


class ReviewError(RuntimeError):
    """A retrain or restore cannot be done; the message says what to do."""


@dataclass(frozen=True)
class RetrainResult:
    """What a retrain did: both models' scores on the evaluation set and whether the new one is in use."""

    promoted: bool
    reason: str
    old_version: str | None
    new_version: str
    old_metrics: dict[str, Any] | None
    """``nlp.training.metrics`` of the current model on the evaluation set (None: there was none)."""
    new_metrics: dict[str, Any]
    n_eval: int
    n_corpus: int
    """training sentences from the corpus labels and the taxonomy's examples"""
    n_reviewed: int
    """training sentences built from decisions"""
    n_decisions: int
    held_out: int
    """reviewed sentences left out because their text is in the evaluation set"""
    at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    @property
    def old_micro_f1(self) -> float | None:
        return None if self.old_metrics is None else float(self.old_metrics["micro"]["f1"])

    @property
    def new_micro_f1(self) -> float:
        return float(self.new_metrics["micro"]["f1"])

    def per_theme(self) -> list[tuple[str, float | None, float, int]]:
        """(theme, old F1, new F1, support) for a side-by-side table."""
        old = (self.old_metrics or {}).get("per_theme", {})
        return [
            (theme, old[theme]["f1"] if theme in old else None, row["f1"], int(row["support"]))
            for theme, row in self.new_metrics["per_theme"].items()
        ]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RetrainResult:
        return cls(**dict(data))


def should_promote(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> tuple[bool, str]:
    """Promote when there is no usable current model or the new micro-F1 is not lower; and why."""
    new_f1 = float(new["micro"]["f1"])
    if old is None:
        return True, f"no usable current model: the new one (micro-F1 {new_f1:.4f}) takes its place"
    old_f1 = float(old["micro"]["f1"])
    if new_f1 >= old_f1:
        return True, f"micro-F1 {new_f1:.4f} is not worse than the current model's {old_f1:.4f}"
    return (
        False,
        f"micro-F1 {new_f1:.4f} is worse than the current model's {old_f1:.4f}: kept the current model",
    )


def normalise(text: str) -> str:
    """The key that says two sentences are the same: case and runs of whitespace do not count."""
    return " ".join(text.split()).casefold()


def reviewed_items(
    decisions: Sequence[DecisionRecord],
    *,
    stored_themes: Mapping[tuple[str, int], Sequence[str]],
    stored_texts: Mapping[tuple[str, int], str],
    labelled: Mapping[str, Sequence[str]],
    theme_ids: Sequence[str],
) -> list[LabelledSentence]:
    """One labelled sentence per reviewed sentence text.

    The starting themes are the human labels when the corpus has the sentence, else the themes the
    model gave it in the store (if the stored sentence is still the one decided on), and the decisions
    are applied on top. Themes the taxonomy no longer has are dropped; a sentence left with no theme is
    a useful negative example and is kept.
    """
    by_text: dict[str, list[DecisionRecord]] = {}
    texts: dict[str, str] = {}
    for d in decisions:
        key = normalise(d.sentence_text)
        by_text.setdefault(key, []).append(d)
        texts.setdefault(key, d.sentence_text)
    known = set(theme_ids)
    items = []
    for key, group in by_text.items():
        if key in labelled:
            base: Sequence[str] = labelled[key]
        else:
            first = group[0]
            where = (first.document_id, first.sentence_i)
            same = normalise(stored_texts.get(where, "")) == key
            base = stored_themes.get(where, []) if same else []
        themes = [t for t in apply_to_themes(base, group) if t in known]
        items.append(LabelledSentence(text=texts[key], themes=themes))
    return items


def training_set(
    settings: Settings, taxonomy: Taxonomy, store: Store
) -> tuple[list[LabelledSentence], int, int, int]:
    """Corpus labels + taxonomy examples + reviewed sentences; with the counts of corpus items, reviewed
    items and reviewed items held out because the evaluation set has them."""
    corpus = training_items(settings, taxonomy)
    decisions = store.decisions()
    if not decisions:
        return corpus, len(corpus), 0, 0
    evaluation = {
        normalise(item.text) for item in load_labels(settings.eval_labels, taxonomy.ids, unknown="drop")
    }
    labelled = {
        normalise(item.text): item.themes
        for item in load_labels(settings.train_labels, taxonomy.ids, unknown="drop")
    }
    documents = sorted({d.document_id for d in decisions})
    stored_themes: dict[tuple[str, int], list[str]] = {}
    stored_texts: dict[tuple[str, int], str] = {}
    for summary in store.summaries(documents):
        for s in summary.sentences:
            stored_themes[(summary.id, s.i)] = list(s.themes)
            stored_texts[(summary.id, s.i)] = s.text
    reviewed = reviewed_items(
        decisions,
        stored_themes=stored_themes,
        stored_texts=stored_texts,
        labelled=labelled,
        theme_ids=taxonomy.ids,
    )
    kept = [item for item in reviewed if normalise(item.text) not in evaluation]
    replaced = {normalise(item.text) for item in kept}
    # A reviewed corpus sentence replaces its label (the decisions were applied on top of it).
    corpus = [item for item in corpus if normalise(item.text) not in replaced]
    return [*corpus, *kept], len(corpus), len(kept), len(reviewed) - len(kept)


def previous_dir(settings: Settings) -> Path:
    current = settings.theme_model_dir
    return current.with_name(current.name + PREVIOUS_SUFFIX)


def _staging_dir(settings: Settings) -> Path:
    current = settings.theme_model_dir
    return current.with_name(current.name + STAGING_SUFFIX)


def last_result_path(settings: Settings) -> Path:
    return settings.models_dir / LAST_RESULT_FILE


def retrain_with_reviews(
    settings: Settings, store: Store, *, nlp: Language | None = None, who: str | None = None
) -> RetrainResult:
    """Train a candidate model with the decisions in ``store``, compare it with the current one on the
    evaluation set and promote it only if it is not worse; the result is also kept in
    ``models_dir/retrain_last.json`` for the review app."""
    from nlp.linguistic import analysis_pipeline

    taxonomy = load_taxonomy(settings.taxonomy_path)
    nlp = nlp or analysis_pipeline(settings.spacy_model)
    items, n_corpus, n_reviewed, held_out = training_set(settings, taxonomy, store)
    n_decisions = len(store.decisions())
    try:
        current: ThemeModel | None = load_model(settings.theme_model_dir, taxonomy=taxonomy)
    except ModelError:
        current = None
    candidate = train(items, taxonomy=taxonomy, nlp=nlp, random_state=settings.random_state)
    candidate.metadata["reviews"] = {
        "decisions": n_decisions,
        "sentences": n_reviewed,
        "held_out": held_out,
        "by": who,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    new_eval = evaluate(settings, candidate, nlp=nlp)
    old_metrics = evaluate(settings, current, nlp=nlp).results[VARIANT] if current is not None else None
    new_metrics = new_eval.results[VARIANT]
    promoted, reason = should_promote(old_metrics, new_metrics)
    if current is not None and candidate.version == current.version:
        # Same data, taxonomy and seed: the same model. Promoting it would overwrite the restore point.
        promoted, reason = False, "no new decisions since the model in use was trained: it is kept"
    if promoted:
        promote(settings, candidate)
    result = RetrainResult(
        promoted=promoted,
        reason=reason,
        old_version=current.version if current is not None else None,
        new_version=candidate.version,
        old_metrics=old_metrics,
        new_metrics=new_metrics,
        n_eval=new_eval.n_sentences,
        n_corpus=n_corpus,
        n_reviewed=n_reviewed,
        n_decisions=n_decisions,
        held_out=held_out,
    )
    write_text_atomic(last_result_path(settings), json.dumps(result.to_json(), indent=1))
    return result


def promote(settings: Settings, model: ThemeModel) -> None:
    """Make ``model`` the one in use; the one it replaces becomes ``theme.previous``.

    The candidate is written completely in ``theme.new`` first, so the folder in use is only ever
    replaced by renames, never half-written.
    """
    current, previous, staging = settings.theme_model_dir, previous_dir(settings), _staging_dir(settings)
    if staging.exists():
        shutil.rmtree(staging)
    save_model(model, staging)
    if current.exists():
        if previous.exists():
            shutil.rmtree(previous)
        current.rename(previous)
    staging.rename(current)


def restore_previous_model(settings: Settings) -> str:
    """Swap the model in use with the previous one (so a restore can itself be undone); the version now
    in use."""
    current, previous = settings.theme_model_dir, previous_dir(settings)
    if not (previous / "model.json").is_file():
        raise ReviewError(f"no previous theme model in {previous}: nothing to restore")
    swap = current.with_name(current.name + ".swap")
    if swap.exists():
        shutil.rmtree(swap)
    if current.exists():
        current.rename(swap)
    previous.rename(current)
    if swap.exists():
        swap.rename(previous)
    return model_summary(current)["version"] or "?"


def model_summary(folder: Path) -> dict[str, Any]:
    """Version, training size and review provenance of a saved model, read from its JSON alone (cheap)."""
    path = folder / "model.json"
    if not path.is_file():
        return {"exists": False, "version": None, "folder": str(folder)}
    meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    oof = meta.get("out_of_fold", {}).get(VARIANT, {}).get("micro", {})
    return {
        "exists": True,
        "folder": str(folder),
        "version": meta.get("version"),
        "n_train": meta.get("n_train"),
        "reviews": meta.get("reviews"),
        "oof_micro_f1": oof.get("f1"),
    }


def last_result(settings: Settings) -> RetrainResult | None:
    """The last retrain's result, if one was recorded and is readable."""
    path = last_result_path(settings)
    try:
        return RetrainResult.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def format_result(result: RetrainResult) -> str:
    """Plain-text report of a retrain for the command line."""
    lines = [
        f"{'PROMOTED' if result.promoted else 'NOT PROMOTED'}: {result.reason}",
        f"training: {result.n_corpus} corpus/taxonomy sentences + {result.n_reviewed} reviewed "
        f"({result.n_decisions} decisions; {result.held_out} held out as evaluation sentences); "
        f"evaluated on {result.n_eval} held-out sentences",
        f"{'theme':<22}{'old F1':>8}{'new F1':>8}{'support':>9}",
    ]
    for theme, old, new, support in result.per_theme():
        old_text = f"{old:.3f}" if old is not None else "-"
        lines.append(f"{theme:<22}{old_text:>8}{new:>8.3f}{support:>9}")
    old_micro = f"{result.old_micro_f1:.3f}" if result.old_micro_f1 is not None else "-"
    lines.append(f"{'micro':<22}{old_micro:>8}{result.new_micro_f1:>8.3f}")
    return "\n".join(lines)
