"""What the review pages show, read straight from the store's tables (no whole-corpus summaries in memory)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from flows.store import DecisionRecord, Store
from flows.store import models as m
from nlp.summary import DocumentSummary, SentenceRecord
from nlp.taxonomy import Taxonomy


def theme_rows(store: Store, taxonomy: Taxonomy) -> list[dict[str, Any]]:
    """Per theme: sentences and documents that carry it, takeaways about it, and analysts' verdicts."""
    with store.engine.connect() as connection:
        sentences = dict(
            connection.execute(
                select(m.SentenceTheme.theme, func.count()).group_by(m.SentenceTheme.theme)
            ).all()
        )
        documents = dict(
            connection.execute(
                select(
                    m.SentenceTheme.theme, func.count(func.distinct(m.SentenceTheme.document_id))
                ).group_by(m.SentenceTheme.theme)
            ).all()
        )
        takeaways = dict(
            connection.execute(select(m.Takeaway.theme, func.count()).group_by(m.Takeaway.theme)).all()
        )
        verdicts: Counter[tuple[str, str]] = Counter()
        for row in connection.execute(select(m.Decision.theme, m.Decision.action, m.Decision.new_theme)):
            verdicts[(row.theme, row.action)] += 1
            if row.new_theme:
                verdicts[(row.new_theme, "relabelled_to")] += 1
    most = max(sentences.values(), default=0) or 1
    return [
        {
            "id": t.id,
            "label": t.label,
            "definition": t.definition,
            "sentences": sentences.get(t.id, 0),
            "share": sentences.get(t.id, 0) / most,
            "documents": documents.get(t.id, 0),
            "takeaways": takeaways.get(t.id, 0),
            "accepted": verdicts[(t.id, "accept")],
            "rejected": verdicts[(t.id, "reject")],
            "relabelled_from": verdicts[(t.id, "relabel")],
            "relabelled_to": verdicts[(t.id, "relabelled_to")],
        }
        for t in taxonomy.themes
    ]


def document_rows(store: Store) -> list[dict[str, Any]]:
    """Every document with its sentence and takeaway counts and its most frequent themes."""
    with store.engine.connect() as connection:
        n_sentences = dict(
            connection.execute(
                select(m.Sentence.document_id, func.count()).group_by(m.Sentence.document_id)
            ).all()
        )
        n_takeaways = dict(
            connection.execute(
                select(m.Takeaway.document_id, func.count()).group_by(m.Takeaway.document_id)
            ).all()
        )
        themes: dict[str, Counter[str]] = defaultdict(Counter)
        for row in connection.execute(
            select(m.SentenceTheme.document_id, m.SentenceTheme.theme, func.count()).group_by(
                m.SentenceTheme.document_id, m.SentenceTheme.theme
            )
        ):
            themes[row[0]][row[1]] = row[2]
        documents = connection.execute(
            select(
                m.Document.id,
                m.Document.title,
                m.Document.source,
                m.Document.kind,
                m.Document.date,
                m.Document.speakers,
            ).order_by(m.Document.date.desc(), m.Document.source)
        ).all()
    return [
        {
            "id": d.id,
            "title": d.title or d.source,
            "source": d.source,
            "kind": d.kind,
            "date": d.date,
            "speakers": len(d.speakers or []),
            "sentences": n_sentences.get(d.id, 0),
            "takeaways": n_takeaways.get(d.id, 0),
            "themes": [t for t, _ in themes[d.id].most_common(3)],
        }
        for d in documents
    ]


def takeaway_rows(store: Store, *, theme: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Takeaways (newest documents first, then rank) with their evidence sentences."""
    query = (
        select(
            m.Takeaway.document_id,
            m.Takeaway.i,
            m.Takeaway.rank,
            m.Takeaway.theme,
            m.Takeaway.theme_label,
            m.Takeaway.text,
            m.Takeaway.speaker,
            m.Takeaway.score,
            m.Takeaway.start,
            m.Document.title,
            m.Document.source,
            m.Document.date,
        )
        .join(m.Document, m.Document.id == m.Takeaway.document_id)
        .order_by(m.Document.date.desc(), m.Document.source, m.Takeaway.rank)
        .limit(limit)
    )
    if theme is not None:
        query = query.where(m.Takeaway.theme == theme)
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
        evidence: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
        ids = sorted({r.document_id for r in rows})
        if ids:
            for e in connection.execute(
                select(m.Evidence.__table__)
                .where(m.Evidence.document_id.in_(ids))
                .order_by(m.Evidence.document_id, m.Evidence.takeaway_i, m.Evidence.i)
            ):
                evidence[(e.document_id, e.takeaway_i)].append({"text": e.text, "speaker": e.speaker})
    return [
        {
            "document_id": r.document_id,
            "document": r.title or r.source,
            "date": r.date,
            "rank": r.rank,
            "theme": r.theme,
            "theme_label": r.theme_label,
            "text": r.text,
            "speaker": r.speaker,
            "score": r.score,
            "start": r.start,
            "evidence": evidence[(r.document_id, r.i)],
        }
        for r in rows
    ]


def recent_decisions(store: Store, limit: int = 8) -> list[dict[str, Any]]:
    query = select(m.Decision.__table__).order_by(m.Decision.id.desc()).limit(limit)
    with store.engine.connect() as connection:
        return [row._asdict() for row in connection.execute(query)]


@dataclass
class Piece:
    """A stretch of a document's text: between sentences (``sentence`` None) or one sentence."""

    text: str
    sentence: SentenceRecord | None = None
    role: str = ""
    """"headline" (a takeaway's own sentence), "evidence" (supports one) or "" """
    ranks: list[int] = field(default_factory=list)
    speaker_label: str | None = None
    decisions: list[DecisionRecord] = field(default_factory=list)


def document_pieces(summary: DocumentSummary, decisions: list[DecisionRecord]) -> list[Piece]:
    """The whole text cut at sentence boundaries, evidence and takeaway sentences marked, so the page
    shows each claim in its context; a speaker's name is shown where the turn changes."""
    headlines = [(t.start, t.end, t.rank) for t in summary.takeaways]
    support = [(e.start, e.end, t.rank) for t in summary.takeaways for e in t.evidence]
    by_sentence: dict[int, list[DecisionRecord]] = defaultdict(list)
    for d in decisions:
        by_sentence[d.sentence_i].append(d)
    text = summary.text
    pieces: list[Piece] = []
    position = 0
    speaker: str | None = None
    for s in sorted(summary.sentences, key=lambda s: s.start):
        start, end = max(s.start, position), max(s.end, position)
        if start > position:
            pieces.append(Piece(text=text[position:start]))
        head = sorted({r for a, b, r in headlines if a < s.end and s.start < b})
        backs = sorted({r for a, b, r in support if a < s.end and s.start < b})
        role = "headline" if head else "evidence" if backs else ""
        label = s.speaker if s.speaker and s.speaker != speaker else None
        speaker = s.speaker or speaker
        pieces.append(
            Piece(
                text=text[start:end],
                sentence=s,
                role=role,
                ranks=sorted({*head, *backs}),
                speaker_label=label,
                decisions=by_sentence.get(s.i, []),
            )
        )
        position = end
    if position < len(text):
        pieces.append(Piece(text=text[position:]))
    return pieces
