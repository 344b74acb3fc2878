"""Training, saving, loading and evaluating the theme model, reproducibly.

The same labelled data, taxonomy and seed give the same model. Models are stored as a skops file (no
pickle: only an explicit list of types may be loaded) beside a JSON file with thresholds, phrase
precisions, hashes of data and taxonomy, library versions and the out-of-fold metrics.
"""

from __future__ import annotations

import hashlib
import json
import platform
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, Literal

import numpy as np
import sklearn
import skops.io as sio
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, ValidationError
from sklearn.base import clone
from sklearn.model_selection import GroupKFold
from skops.io.exceptions import UntrustedTypesFoundException
from spacy.language import Language

from nlp.key_sentences import KeySentenceModel
from nlp.model_files import CLASSIFIER_FILE, META_FILE, MODEL_FORMAT, ModelError, read_meta
from nlp.patterns import Hits, PatternMatcher
from nlp.taxonomy import Taxonomy
from nlp.themes import (
    FloatArray,
    LinearScorer,
    ThemeClassifier,
    ThemeDecision,
    combine,
    decide,
    pattern_strength,
)

_TRUSTED_TYPES = {
    "nlp.themes.ThemeClassifier",
    "sklearn.dummy.DummyClassifier",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.svm._classes.LinearSVC",
}
_THRESHOLD_GRID = np.round(np.arange(0.05, 0.96, 0.01), 2)
_PRIOR_HITS, _PRIOR_POSITIVE = 2.0, 1.0  # phrase precision is smoothed toward 0.5 when rarely seen
_FOLDS = 5
_WEAK_PRECISION = 0.8

Variant = Literal["combined", "model", "rules"]


class LabelledSentence(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    text: str
    themes: list[str]
    group: str = ""
    """the document a real sentence comes from: cross-validation never splits a document"""
    real: bool = False
    """from a real document (thresholds are chosen on these when there are any)"""


def load_labels(
    path: Path, theme_ids: Sequence[str], *, unknown: Literal["error", "drop"] = "error"
) -> list[LabelledSentence]:
    """Read JSONL labels. Unknown theme ids are an error naming the line, or, with ``unknown="drop"``
    (labels written for another taxonomy), dropped together with sentences that had only those."""
    known = set(theme_ids)
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = LabelledSentence.model_validate_json(line)
        except ValidationError as exc:
            raise ValueError(f"{path}:{number}: not a labelled sentence ({exc.errors()[0]['msg']})") from exc
        foreign = set(item.themes) - known
        if foreign and unknown == "error":
            raise ValueError(f"{path}:{number}: unknown theme(s) {', '.join(sorted(foreign))}")
        if foreign:
            kept = [t for t in item.themes if t in known]
            if not kept:
                continue
            item = LabelledSentence(text=item.text, themes=kept)
        items.append(item)
    return items


def indicator_matrix(items: Sequence[LabelledSentence], theme_ids: Sequence[str]) -> NDArray[np.int_]:
    Y = np.zeros((len(items), len(theme_ids)), dtype=int)
    index = {t: j for j, t in enumerate(theme_ids)}
    for i, item in enumerate(items):
        for theme in item.themes:
            Y[i, index[theme]] = 1
    return Y


def sentence_hits(nlp: Language, matcher: PatternMatcher, texts: Sequence[str]) -> list[Hits]:
    """Pattern hits for standalone sentences (each text is one span)."""
    return [matcher.sentence_hits(doc, [(0, len(doc.text))])[0] for doc in nlp.pipe(texts, batch_size=128)]


@dataclass
class ThemeModel:
    """A trained theme model: classifier, thresholds and phrase precisions for one taxonomy."""

    theme_ids: list[str]
    classifier: ThemeClassifier
    thresholds: FloatArray
    model_thresholds: FloatArray
    rule_thresholds: FloatArray
    phrase_precision: dict[str, float]
    metadata: dict[str, Any] = field(default_factory=dict)
    key_sentences: KeySentenceModel | None = None
    """which sentences state key points, learned from real documents' gold takeaways (if any)"""

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", "untrained"))

    @cached_property
    def scorer(self) -> ThemeClassifier | LinearScorer:
        """The same probabilities as the classifier's, three times faster on a document's sentences."""
        return LinearScorer.of(self.classifier) or self.classifier

    def probabilities(self, texts: Sequence[str], hits: Sequence[Hits]) -> tuple[FloatArray, FloatArray]:
        model_p = self.scorer.predict_proba(texts) if texts else np.zeros((0, len(self.theme_ids)))
        pattern_r = np.array([pattern_strength(h, self.theme_ids, self.phrase_precision) for h in hits])
        return model_p, pattern_r.reshape(len(hits), len(self.theme_ids))

    def decide(self, texts: Sequence[str], hits: Sequence[Hits]) -> list[ThemeDecision]:
        model_p, pattern_r = self.probabilities(texts, hits)
        return [
            decide(self.theme_ids, model_p[i], pattern_r[i], self.thresholds, self.model_thresholds)
            for i in range(len(texts))
        ]

    def predict(
        self, texts: Sequence[str], hits: Sequence[Hits], variant: Variant = "combined"
    ) -> NDArray[np.int_]:
        model_p, pattern_r = self.probabilities(texts, hits)
        return _predict(model_p, pattern_r, variant, self)


def _predict(
    model_p: FloatArray, pattern_r: FloatArray, variant: Variant, model: ThemeModel
) -> NDArray[np.int_]:
    if variant == "model":
        return (model_p >= model.model_thresholds).astype(int)
    if variant == "rules":
        return (pattern_r >= model.rule_thresholds).astype(int)
    return (combine(model_p, pattern_r) >= model.thresholds).astype(int)


def train(
    items: Sequence[LabelledSentence],
    *,
    taxonomy: Taxonomy,
    nlp: Language,
    unlabelled: Sequence[str] = (),
    random_state: int = 0,
    classifier: ThemeClassifier | None = None,
) -> ThemeModel:
    """Fit the classifier, learn phrase precisions and choose per-theme thresholds out of fold.

    When some items are from real documents, phrase precisions and thresholds are measured on those
    alone: sentences written for the project are easier than real ones and would set them too low.
    Cross-validation folds never split a document.

    ``unlabelled`` sentences get weak labels from the seed phrases that proved precise on the labelled
    data; they join every training fold but are never scored, so thresholds rest on human labels only.
    """
    theme_ids = taxonomy.ids
    texts = [item.text for item in items]
    Y = indicator_matrix(items, theme_ids)
    matcher = PatternMatcher(nlp, taxonomy)
    hits = sentence_hits(nlp, matcher, texts)
    real = [i for i, item in enumerate(items) if item.real] or list(range(len(items)))
    precision = _phrase_precision([hits[i] for i in real], Y[real], theme_ids)
    pattern_r = np.array([pattern_strength(h, theme_ids, precision) for h in hits])
    weak = weak_labels(sentence_hits(nlp, matcher, unlabelled), unlabelled, theme_ids, precision)
    weak_texts, Y_weak = [w.text for w in weak], indicator_matrix(weak, theme_ids)
    folds = GroupKFold(n_splits=_FOLDS, shuffle=True, random_state=random_state)
    groups = [item.group or f"written-{i}" for i, item in enumerate(items)]
    classifier = classifier or ThemeClassifier(random_state=random_state)
    oof = np.zeros(Y.shape)
    for train_rows, test_rows in folds.split(texts, groups=groups):
        fold_texts = [texts[i] for i in train_rows] + weak_texts
        fold = clone(classifier).fit(fold_texts, np.vstack([Y[train_rows], Y_weak]))
        oof[test_rows] = fold.predict_proba([texts[i] for i in test_rows])
    model_thresholds = _best_thresholds(oof[real], Y[real])
    rule_thresholds = _best_thresholds(pattern_r[real], Y[real])
    thresholds = _best_thresholds(combine(oof, pattern_r)[real], Y[real])
    classifier.fit(texts + weak_texts, np.vstack([Y, Y_weak]))
    model = ThemeModel(
        theme_ids=list(theme_ids),
        classifier=classifier,
        thresholds=thresholds,
        model_thresholds=model_thresholds,
        rule_thresholds=rule_thresholds,
        phrase_precision=precision,
    )
    variants: tuple[Variant, ...] = ("combined", "model", "rules")
    oof_metrics = {
        v: metrics(Y[real], _predict(oof[real], pattern_r[real], v, model), theme_ids) for v in variants
    }
    data_hash = _data_hash([*items, *weak])
    model.metadata = {
        "format": MODEL_FORMAT,
        "data_hash": data_hash,
        "taxonomy_hash": taxonomy.digest(),
        "random_state": random_state,
        "n_train": len(items),
        "n_weak": len(weak),
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "spacy": package_version("spacy"),
            "skops": package_version("skops"),
            "spacy_pipeline": nlp.meta.get("takeaways_package", nlp.meta.get("name", "?")),
        },
        "out_of_fold": oof_metrics,
    }
    model.metadata["version"] = hashlib.sha256(
        json.dumps(
            [data_hash, taxonomy.digest(), random_state, MODEL_FORMAT, classifier.get_params()],
            sort_keys=True,
        ).encode()
    ).hexdigest()[:12]
    return model


def weak_labels(
    hits: Sequence[Hits], texts: Sequence[str], theme_ids: Sequence[str], precision: dict[str, float]
) -> list[LabelledSentence]:
    """Label a sentence with each theme one of whose phrases was right at least ``_WEAK_PRECISION``
    of the time on the labelled data; sentences no precise phrase matches are left out."""
    labelled = []
    for text, found in zip(texts, hits, strict=True):
        themes = [
            theme
            for theme in theme_ids
            if any(precision.get(f"{theme}::{p}", 0.0) >= _WEAK_PRECISION for p in found.get(theme, []))
        ]
        if themes:
            labelled.append(LabelledSentence(text=text, themes=themes))
    return labelled


def _data_hash(items: Sequence[LabelledSentence]) -> str:
    """Identifies the training data: same sentences and labels in the same order, same hash."""
    lines = (f"{item.text}\t{','.join(sorted(item.themes))}\t{item.group}" for item in items)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def _phrase_precision(
    hits: Sequence[Hits], Y: NDArray[np.int_], theme_ids: Sequence[str]
) -> dict[str, float]:
    """How often a sentence matching each phrase really carries its theme (smoothed)."""
    seen: dict[str, list[int]] = {}
    index = {t: j for j, t in enumerate(theme_ids)}
    for i, sentence_hits_ in enumerate(hits):
        for theme_id, phrases in sentence_hits_.items():
            for phrase in phrases:
                seen.setdefault(f"{theme_id}::{phrase}", []).append(int(Y[i, index[theme_id]]))
    return {
        key: round((sum(labels) + _PRIOR_POSITIVE) / (len(labels) + _PRIOR_HITS), 4)
        for key, labels in sorted(seen.items())
    }


def _best_thresholds(scores: FloatArray, Y: NDArray[np.int_]) -> FloatArray:
    """Per theme, the grid threshold with the best F1 (ties go to the higher threshold)."""
    best = np.full(Y.shape[1], 0.5)
    for j in range(Y.shape[1]):
        f1s = [_f1(Y[:, j], (scores[:, j] >= t).astype(int)) for t in _THRESHOLD_GRID]
        top = max(f1s)
        best[j] = max(t for t, f in zip(_THRESHOLD_GRID, f1s, strict=True) if f == top)
    return best


def _f1(y: NDArray[np.int_], p: NDArray[np.int_]) -> float:
    tp = int((y & p).sum())
    denominator = int(y.sum() + p.sum())
    return 2 * tp / denominator if denominator else 0.0


def metrics(Y: NDArray[np.int_], P: NDArray[np.int_], theme_ids: Sequence[str]) -> dict[str, Any]:
    """Per-theme precision/recall/F1 with support, plus micro and macro averages."""
    per_theme = {}
    for j, theme_id in enumerate(theme_ids):
        tp = int((Y[:, j] & P[:, j]).sum())
        fp = int(((1 - Y[:, j]) & P[:, j]).sum())
        fn = int((Y[:, j] & (1 - P[:, j])).sum())
        per_theme[theme_id] = _prf(tp, fp, fn) | {"support": int(Y[:, j].sum())}
    tp, fp, fn = (int(x) for x in ((Y & P).sum(), ((1 - Y) & P).sum(), (Y & (1 - P)).sum()))
    macro = {
        k: round(float(np.mean([m[k] for m in per_theme.values()])), 4) for k in ("precision", "recall", "f1")
    }
    return {"per_theme": per_theme, "micro": _prf(tp, fp, fn), "macro": macro}


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def save_model(model: ThemeModel, folder: Path) -> None:
    """Write the model folder; the JSON is written last so a half-written folder never looks complete."""
    folder.mkdir(parents=True, exist_ok=True)
    sio.dump(model.classifier, folder / CLASSIFIER_FILE, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    meta = {
        "classifier_sha256": hashlib.sha256((folder / CLASSIFIER_FILE).read_bytes()).hexdigest(),
        "theme_ids": model.theme_ids,
        "thresholds": model.thresholds.tolist(),
        "model_thresholds": model.model_thresholds.tolist(),
        "rule_thresholds": model.rule_thresholds.tolist(),
        "phrase_precision": model.phrase_precision,
        "metadata": model.metadata,
        "key_sentences": model.key_sentences.to_json() if model.key_sentences else None,
    }
    tmp = folder / f".{META_FILE}.tmp"
    tmp.write_text(json.dumps(meta, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(folder / META_FILE)


def load_model(folder: Path, *, taxonomy: Taxonomy) -> ThemeModel:
    """Load a saved model, refusing untrusted types and models fitted for another taxonomy."""
    meta, classifier_path = read_meta(folder, taxonomy=taxonomy), folder / CLASSIFIER_FILE
    recorded = meta.get("classifier_sha256")
    if recorded and hashlib.sha256(classifier_path.read_bytes()).hexdigest() != recorded:
        raise ModelError(f"{classifier_path} is not the file {folder / META_FILE} describes (hash differs)")
    try:  # one audit of the file's types, in the load itself (a separate listing took as long again)
        classifier = sio.load(classifier_path, trusted=sorted(_TRUSTED_TYPES))
    except UntrustedTypesFoundException as exc:
        unexpected = set(sio.get_untrusted_types(file=classifier_path)) - _TRUSTED_TYPES
        raise ModelError(
            f"{classifier_path} holds types this version does not trust: {', '.join(sorted(unexpected))}"
        ) from exc
    return ThemeModel(
        theme_ids=list(meta["theme_ids"]),
        classifier=classifier,
        thresholds=np.array(meta["thresholds"]),
        model_thresholds=np.array(meta["model_thresholds"]),
        rule_thresholds=np.array(meta["rule_thresholds"]),
        phrase_precision={k: float(v) for k, v in meta["phrase_precision"].items()},
        metadata=meta["metadata"],
        key_sentences=KeySentenceModel.from_json(meta["key_sentences"])
        if meta.get("key_sentences")
        else None,
    )
