"""The review queue: which sentence-theme suggestion an analyst should look at next (active learning).

An analyst's time is best spent where the model is least sure. Each candidate sentence offers
suggestions: the themes it was given (stored score at or above that theme's threshold) and near misses
(the model's probability for a theme it was not given, at least half the threshold). A suggestion's
uncertainty is the distance between its score and its theme's threshold; each sentence is asked about
its most uncertain undecided suggestion, and sentences are ordered by that distance, smallest first.

Stored scores are the combined model-and-pattern scores the pipeline assigned. Near misses use the
current model's probability alone, which equals the combined score whenever no phrase of that theme
matched the sentence (otherwise it is a lower bound): this keeps spaCy out of the web app and the
whole store scorable in seconds. Scores are computed once per (model, store contents) and cached.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from flows.store import Store
from flows.store import models as m
from nlp.model_files import ModelError
from nlp.taxonomy import Taxonomy
from nlp.training import ThemeModel, load_model

NEAR_MISS_RATIO = 0.5
"""A theme the sentence was not given is suggested when its probability is at least this share of the
threshold."""
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class Suggestion:
    theme: str
    score: float
    threshold: float
    assigned: bool
    reason: str | None

    @property
    def distance(self) -> float:
        return abs(self.score - self.threshold)


@dataclass(frozen=True)
class Candidate:
    """A sentence and its suggestions, most uncertain first."""

    document_id: str
    document_title: str
    sentence_i: int
    text: str
    speaker: str | None
    before: str | None
    after: str | None
    suggestions: tuple[Suggestion, ...]


@dataclass(frozen=True)
class QueueItem:
    candidate: Candidate
    suggestion: Suggestion

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.candidate.document_id, self.candidate.sentence_i, self.suggestion.theme)


Decided = set[tuple[str, int, str]]


def decided_pairs(store: Store) -> Decided:
    """(document, sentence, theme) pairs an analyst already answered; a relabel answers both themes."""
    pairs: Decided = set()
    query = select(m.Decision.document_id, m.Decision.sentence_i, m.Decision.theme, m.Decision.new_theme)
    with store.engine.connect() as connection:
        for row in connection.execute(query):
            pairs.add((row.document_id, row.sentence_i, row.theme))
            if row.new_theme:
                pairs.add((row.document_id, row.sentence_i, row.new_theme))
    return pairs


def build_queue(
    candidates: Iterable[Candidate],
    decided: Decided,
    *,
    theme: str | None = None,
    document_id: str | None = None,
) -> tuple[list[QueueItem], int]:
    """One item per sentence with an undecided suggestion, most uncertain first (ties: document order),
    and how many undecided suggestions there are in all: the count that falls by one per decision (a
    sentence stays in the queue while another of its suggestions is open)."""
    items = []
    open_suggestions = 0
    for c in candidates:
        if document_id is not None and c.document_id != document_id:
            continue
        undecided = [
            s
            for s in c.suggestions
            if (theme is None or s.theme == theme) and (c.document_id, c.sentence_i, s.theme) not in decided
        ]
        if undecided:
            items.append(QueueItem(c, undecided[0]))
            open_suggestions += len(undecided)
    items.sort(
        key=lambda item: (
            round(item.suggestion.distance, 6),
            item.candidate.document_title,
            item.candidate.sentence_i,
        )
    )
    return items, open_suggestions


def suggestions_for(
    assigned: dict[str, tuple[float, str | None]],
    probabilities: Sequence[float] | None,
    theme_ids: Sequence[str],
    thresholds: Sequence[float],
) -> tuple[Suggestion, ...]:
    """A sentence's suggestions, most uncertain first: its assigned themes and its near misses."""
    out = []
    for j, theme in enumerate(theme_ids):
        threshold = float(thresholds[j])
        if theme in assigned:
            score, reason = assigned[theme]
            out.append(Suggestion(theme, score, threshold, True, reason))
        elif probabilities is not None and probabilities[j] >= NEAR_MISS_RATIO * threshold:
            out.append(Suggestion(theme, round(float(probabilities[j]), 4), threshold, False, None))
    return tuple(sorted(out, key=lambda s: s.distance))


class QueueSource:
    """Candidates scored with the current theme model, cached until the model or the store changes."""

    def __init__(self, store: Store, taxonomy: Taxonomy, model_dir: Path) -> None:
        self.store = store
        self.taxonomy = taxonomy
        self.model_dir = model_dir
        self._lock = threading.Lock()
        self._key: tuple[object, ...] | None = None
        self._candidates: list[Candidate] = []
        self._model: ThemeModel | None = None
        self._model_key: int | None = None

    def model(self) -> ThemeModel | None:
        """The model in use (reloaded after a retrain or restore), or None when there is none."""
        meta = self.model_dir / "model.json"
        stamp = meta.stat().st_mtime_ns if meta.is_file() else None
        if stamp != self._model_key:
            self._model_key = stamp
            try:
                self._model = load_model(self.model_dir, taxonomy=self.taxonomy) if stamp else None
            except ModelError:
                self._model = None
        return self._model

    def _fingerprint(self) -> tuple[object, ...]:
        with self.store.engine.connect() as connection:
            row = connection.execute(select(func.count(m.Document.id), func.max(m.Document.updated_at))).one()
        return (row[0], str(row[1]))

    def candidates(self) -> list[Candidate]:
        with self._lock:
            model = self.model()
            key = (self._model_key, *self._fingerprint())
            if key != self._key:
                self._candidates = self._score(model)
                self._key = key
            return self._candidates

    def _score(self, model: ThemeModel | None) -> list[Candidate]:
        ids = self.taxonomy.ids
        thresholds: Sequence[float] = [DEFAULT_THRESHOLD] * len(ids)
        if model is not None and list(model.theme_ids) == ids:
            thresholds = [float(t) for t in model.thresholds]
        else:
            model = None
        with self.store.engine.connect() as connection:
            titles = {
                row.id: row.title or row.source
                for row in connection.execute(select(m.Document.id, m.Document.title, m.Document.source))
            }
            sentences = connection.execute(
                select(
                    m.Sentence.document_id,
                    m.Sentence.i,
                    m.Sentence.text,
                    m.Sentence.speaker,
                    m.Sentence.candidate,
                ).order_by(m.Sentence.document_id, m.Sentence.i)
            ).all()
            assigned: dict[tuple[str, int], dict[str, tuple[float, str | None]]] = {}
            for row in connection.execute(
                select(
                    m.SentenceTheme.document_id,
                    m.SentenceTheme.sentence_i,
                    m.SentenceTheme.theme,
                    m.SentenceTheme.probability,
                    m.SentenceTheme.reason,
                )
            ):
                if row.probability is not None:
                    assigned.setdefault((row.document_id, row.sentence_i), {})[row.theme] = (
                        float(row.probability),
                        row.reason,
                    )
        chosen = [k for k, row in enumerate(sentences) if row.candidate]
        probabilities = None
        if model is not None and chosen:
            probabilities = model.classifier.predict_proba([sentences[k].text for k in chosen])
        out = []
        for n, k in enumerate(chosen):
            sentence = sentences[k]
            doc_id = sentence.document_id
            p = probabilities[n] if probabilities is not None else None
            suggestions = suggestions_for(assigned.get((doc_id, sentence.i), {}), p, ids, thresholds)
            if not suggestions:
                continue
            before = sentences[k - 1].text if k > 0 and sentences[k - 1].document_id == doc_id else None
            after = (
                sentences[k + 1].text
                if k + 1 < len(sentences) and sentences[k + 1].document_id == doc_id
                else None
            )
            out.append(
                Candidate(
                    document_id=doc_id,
                    document_title=titles.get(doc_id, doc_id),
                    sentence_i=sentence.i,
                    text=sentence.text,
                    speaker=sentence.speaker,
                    before=before,
                    after=after,
                    suggestions=suggestions,
                )
            )
        return out
