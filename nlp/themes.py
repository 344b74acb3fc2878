"""Theme scoring: a calibrated multi-label text classifier combined with seed-pattern evidence.

The classifier (word and character TF-IDF into a one-vs-rest linear SVM with sigmoid calibration, as
accurate as logistic regression here and fifteen times faster to fit) generalises past the taxonomy's
phrases; the patterns catch sentences whose wording the labelled data never showed. They are combined
as independent evidence, ``1 - (1 - p) * (1 - r)``, where ``p`` is the model's probability and ``r`` the
training-set precision of the best matching phrase. Each theme has its own threshold, chosen on
out-of-fold predictions, and each assignment records whether the pattern, the model or both were needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from nlp.patterns import Hits
from nlp.summary import ThemeReason

FloatArray = NDArray[np.float64]


class ThemeClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Multi-label sentence classifier over raw text; ``Y`` is an (n_samples, n_themes) 0/1 matrix.

    One calibrated linear SVM per theme over shared TF-IDF features. A theme with too few positive
    examples for cross-validated calibration (a new taxonomy with a handful of examples) gets a
    logistic regression instead, and a theme with none gets a constant zero.
    """

    def __init__(
        self,
        C: float = 0.5,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (2, 5),
        calibration_cv: int = 3,
        random_state: int = 0,
        max_word_features: int | None = 10000,
        max_char_features: int | None = 12000,
    ) -> None:
        self.C = C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.calibration_cv = calibration_cv
        self.random_state = random_state
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features

    def _features(self) -> FeatureUnion:
        words = TfidfVectorizer(
            ngram_range=self.word_ngrams,
            sublinear_tf=True,
            strip_accents="unicode",
            lowercase=True,
            max_features=self.max_word_features,
        )
        chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=self.char_ngrams, sublinear_tf=True, min_df=2, lowercase=True,
            max_features=self.max_char_features,
        )  # fmt: skip
        return FeatureUnion([("words", words), ("chars", chars)])

    def _estimator(self, y: NDArray[np.int_]) -> BaseEstimator:
        positives, negatives = int(y.sum()), int(len(y) - y.sum())
        if positives == 0 or negatives == 0:
            return DummyClassifier(strategy="constant", constant=int(positives > 0))
        folds = min(self.calibration_cv, positives, negatives)
        if folds < 2:
            return LogisticRegression(C=10.0, class_weight="balanced", max_iter=1000)
        base = LinearSVC(C=self.C, class_weight="balanced", random_state=self.random_state)
        # one SVM on all the data, its sigmoid fitted on cross-validated scores: a third of the size
        # of an ensemble of fold models, so the shipped model stays small
        return CalibratedClassifierCV(base, method="sigmoid", cv=folds, ensemble=False)

    def fit(self, X: Sequence[str], Y: NDArray[np.int_]) -> ThemeClassifier:
        Y = np.asarray(Y)
        if Y.ndim != 2:
            raise ValueError("Y must be a 2-D indicator matrix (n_samples, n_themes)")
        self.features_ = self._features().fit(list(X))
        for _, vectorizer in self.features_.transformer_list:
            # numpy integers would be saved one file each (50,000 entries in the model archive)
            vectorizer.vocabulary_ = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
        features = self.features_.transform(list(X))
        self.estimators_ = [self._estimator(Y[:, j]).fit(features, Y[:, j]) for j in range(Y.shape[1])]
        self.n_outputs_ = Y.shape[1]
        self.classes_ = np.arange(Y.shape[1])
        return self

    def predict_proba(self, X: Sequence[str]) -> FloatArray:
        features = self.features_.transform(list(X))
        columns = [_positive_probability(estimator, features) for estimator in self.estimators_]
        return np.column_stack(columns) if columns else np.zeros((len(X), 0))

    def predict(self, X: Sequence[str]) -> NDArray[np.int_]:
        return (self.predict_proba(X) >= 0.5).astype(int)


def _positive_probability(estimator: BaseEstimator, features: object) -> FloatArray:
    probabilities = estimator.predict_proba(features)
    classes = list(estimator.classes_)
    if 1 not in classes:
        return np.zeros(probabilities.shape[0])
    column: FloatArray = probabilities[:, classes.index(1)]
    return column


@dataclass(frozen=True)
class LinearScorer:
    """``ThemeClassifier.predict_proba`` of sigmoid-calibrated linear SVMs as one sparse product.

    The classifier asks each theme's calibrated SVM, and each of its cross-validation folds, in turn:
    thirty scikit-learn calls with their input checks for every document. Here the folds' weights are
    stacked in one matrix, so a document costs one product and one vectorised sigmoid; the arithmetic is
    the same, in the same order (a test checks the results are equal)."""

    features: FeatureUnion
    weights: FloatArray
    """(n_features, n_folds_in_all): each fold's SVM coefficients as a column"""
    intercepts: FloatArray
    slopes: FloatArray
    offsets: FloatArray
    folds: list[list[int]]
    """theme -> its columns"""

    @classmethod
    def of(cls, classifier: ThemeClassifier) -> LinearScorer | None:
        """The scorer, or None when a theme has another kind of estimator (then use the classifier)."""
        columns: list[tuple[FloatArray, float, float, float]] = []
        folds: list[list[int]] = []
        for estimator in classifier.estimators_:
            if not isinstance(estimator, CalibratedClassifierCV) or list(estimator.classes_) != [0, 1]:
                return None
            folds.append([])
            for fold in estimator.calibrated_classifiers_:
                svm, (calibrator,) = fold.estimator, fold.calibrators
                if fold.method != "sigmoid" or not isinstance(svm, LinearSVC):
                    return None
                folds[-1].append(len(columns))
                columns.append((svm.coef_[0], float(svm.intercept_[0]), calibrator.a_, calibrator.b_))
        if not columns:
            return None
        return cls(
            features=classifier.features_,
            weights=np.column_stack([c[0] for c in columns]),
            intercepts=np.array([c[1] for c in columns]),
            slopes=np.array([c[2] for c in columns]),
            offsets=np.array([c[3] for c in columns]),
            folds=folds,
        )

    def predict_proba(self, X: Sequence[str]) -> FloatArray:
        """(n_texts, n_themes): each theme's calibrated probability, averaged over its folds."""
        decision = self.features.transform(list(X)) @ self.weights + self.intercepts
        positive = expit(-(self.slopes * decision + self.offsets))
        out = np.zeros((len(X), len(self.folds)))
        for j, columns in enumerate(self.folds):
            for column in columns:
                out[:, j] += positive[:, column]
            out[:, j] /= len(columns)
        return out


@dataclass(frozen=True)
class ThemeDecision:
    scores: dict[str, float]
    reasons: dict[str, ThemeReason]


def pattern_strength(hits: Hits, theme_ids: Sequence[str], precision: dict[str, float]) -> FloatArray:
    """Per theme, the training precision of the most reliable matching phrase (0 when none matched)."""
    strength = np.zeros(len(theme_ids))
    for j, theme_id in enumerate(theme_ids):
        phrases = hits.get(theme_id, [])
        if phrases:
            strength[j] = max(precision.get(f"{theme_id}::{p}", 0.0) for p in phrases)
    return strength


def combine(model_p: FloatArray, pattern_r: FloatArray) -> FloatArray:
    """Noisy-OR of two independent pieces of evidence for each theme."""
    combined: FloatArray = 1.0 - (1.0 - model_p) * (1.0 - pattern_r)
    return combined


def decide(
    theme_ids: Sequence[str],
    model_p: FloatArray,
    pattern_r: FloatArray,
    thresholds: FloatArray,
    model_thresholds: FloatArray,
) -> ThemeDecision:
    """Themes whose combined score passes their threshold, with the reason each was given."""
    combined = combine(model_p, pattern_r)
    scores: dict[str, float] = {}
    reasons: dict[str, ThemeReason] = {}
    for j, theme_id in enumerate(theme_ids):
        if combined[j] < thresholds[j]:
            continue
        scores[theme_id] = round(float(combined[j]), 4)
        if pattern_r[j] == 0:
            reasons[theme_id] = "model"
        else:
            reasons[theme_id] = "both" if model_p[j] >= model_thresholds[j] else "pattern"
    return ThemeDecision(scores=scores, reasons=reasons)
