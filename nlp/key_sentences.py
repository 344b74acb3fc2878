"""Which sentences state a document's key points: a logistic regression learned from real documents.

Annotators listed, for real UN speeches, the sentences that state each key takeaway. Those sentences are
the positives; every other candidate sentence of the same documents is a negative. The features are
what the engine already knows about a sentence: its centrality, the cues and penalties of
:mod:`nlp.rank`, its structure, its place in the document, its length and how strongly it carries a
theme. The learned weights ship inside the theme model's JSON; without them (a taxonomy of one's own,
no real labels) the hand-set weights of :func:`hand_score` apply.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlp.rank import Salience

CUES = ("obligation", "evaluation", "call", "commitment", "evaluative", "figure")
PENALTIES = ("framing", "logistics", "question", "short", "long")
FEATURES = (
    "centrality", *(f"cue:{c}" for c in CUES), *(f"penalty:{p}" for p in PENALTIES),
    "bullet point", "opens a paragraph", "position", "first tenth", "last tenth", "log words",
    "theme probability", "themes",
)  # fmt: skip


def features(
    sal: Salience, structure: Sequence[str], *, position: float, words: int, theme_scores: dict[str, float]
) -> list[float]:
    """One sentence's feature vector, in the order of :data:`FEATURES`."""
    return [
        sal.centrality,
        *(float(c in sal.cues) for c in CUES),
        *(float(p in sal.penalties) for p in PENALTIES),
        float("bullet point" in structure),
        float("opens a paragraph" in structure),
        position,
        float(position < 0.1),
        float(position > 0.9),
        math.log1p(words),
        max(theme_scores.values(), default=0.0),
        float(len(theme_scores)),
    ]


@dataclass(frozen=True)
class KeySentenceModel:
    """A fitted logistic regression's weights, by feature name (so a model file states what it uses)."""

    weights: dict[str, float]
    intercept: float

    def probability(self, rows: Sequence[Sequence[float]]) -> NDArray[np.float64]:
        if not rows:
            return np.zeros(0)
        coef = np.array([self.weights.get(name, 0.0) for name in FEATURES])
        logits = np.asarray(rows, dtype=float) @ coef + self.intercept
        out: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-logits))
        return out

    def to_json(self) -> dict[str, Any]:
        return {"weights": self.weights, "intercept": self.intercept}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KeySentenceModel:
        weights = {str(k): float(v) for k, v in data["weights"].items()}
        return cls(weights=weights, intercept=float(data["intercept"]))


def fit(rows: Sequence[Sequence[float]], labels: Sequence[int], *, C: float = 1.0) -> KeySentenceModel:
    """Fit on sentences of real documents (1: states a gold takeaway). Features are standardised for
    the fit and the weights mapped back, so the model applies to raw feature values."""
    from sklearn.linear_model import LogisticRegression

    X = np.asarray(rows, dtype=float)
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=2000).fit((X - mean) / scale, labels)
    coef = model.coef_[0] / scale
    intercept = float(model.intercept_[0] - (coef * mean).sum())
    return KeySentenceModel(weights={n: round(float(w), 6) for n, w in zip(FEATURES, coef, strict=True)},
                            intercept=round(intercept, 6))  # fmt: skip


_WORD = re.compile(r"[a-z0-9]+")


def same_sentence(a: str, b: str) -> bool:
    """Whether two renderings of a sentence are the same sentence: ours come from the normalized text,
    a gold label's from the raw file (other whitespace, quotes, transcript markup)."""
    x, y = set(_WORD.findall(a.lower())), set(_WORD.findall(b.lower()))
    if not x or not y:
        return False
    return len(x & y) / len(x | y) >= 0.6 or (x <= y and len(x) >= 5) or (y <= x and len(y) >= 5)


def hand_score(sal: Salience, structural: float) -> float:
    """The hand-set salience used when no learned model is available."""
    return 0.45 * sal.centrality + 0.3 * sal.cue + 0.25 * structural - sal.penalty
