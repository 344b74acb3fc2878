"""The extractive summary of a document: its takeaways' headlines, then its most salient other sentences.

A reader asking "what was this meeting about?" in N words gets the headlines of the takeaways first
(the points the pipeline stands behind, taken in rank order while they fit), then further candidate
sentences in the order of the same scores the takeaways were chosen by: salience from ``nlp.takeaways``
(centrality, cues, structure, penalties) raised by theme confidence. Back-channel and other
non-candidate sentences never appear. Words are counted after disfluency clean-up, as the reader sees
them, and no sentence is cut: sentences that would overflow the budget are passed over for shorter ones.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from nlp.document import Document
from nlp.linguistic import Sentence, clean_transcript_text
from nlp.summary import DocumentSummary, SentenceRecord
from nlp.takeaways import ScoredSentence, score_sentences

_THEME_WEIGHT = 1.0
"""How much a sentence's strongest theme probability raises its salience (1.0: up to doubled)."""


def extractive_summary(summary: DocumentSummary, *, word_budget: int) -> list[SentenceRecord]:
    """Headlines (in document order) then further sentences (in document order), within ``word_budget``."""
    chosen = fill_budget(ranked_sentences(summary), word_counts(summary.sentences), word_budget)
    headlines = _headline_indices(summary)
    first = sorted(i for i in chosen if i in headlines)
    rest = sorted(i for i in chosen if i not in headlines)
    return [summary.sentences[i] for i in (*first, *rest)]


def ranked_sentences(summary: DocumentSummary) -> list[int]:
    """Indices of the candidate sentences, best first: takeaway headlines by rank, then the others."""
    headlines = sorted(_headline_indices(summary).items(), key=lambda kv: kv[1])
    first = [i for i, _ in headlines]
    taken = set(first)
    scored = rescore(summary)
    others = [
        i
        for i in sorted(
            range(len(scored)), key=lambda i: (-sentence_value(scored[i], summary.sentences[i]), i)
        )
        if i not in taken and summary.sentences[i].candidate
    ]
    return [*first, *others]


def sentence_value(scored: ScoredSentence, record: SentenceRecord) -> float:
    """The takeaways' salience (``0.5 + base``, floored at 0) raised by the sentence's surest theme."""
    strongest = max(record.themes.values(), default=0.0)
    return max(0.0, 0.5 + scored.base) * (1.0 + _THEME_WEIGHT * strongest)


def rescore(summary: DocumentSummary) -> list[ScoredSentence]:
    """Recompute the takeaways' sentence scores from a stored summary (they are not part of the schema)."""
    document = Document(
        id=summary.id,
        source=summary.source,
        format=summary.format,
        kind=summary.kind,
        title=summary.title,
        date=summary.date,
        text=summary.text,
        segments=tuple(summary.segments),
    )
    starts = [s.start for s in summary.segments]
    sentences = [
        Sentence(
            i=r.i,
            start=r.start,
            end=r.end,
            text=r.text,
            speaker=r.speaker,
            segment=max(bisect.bisect_right(starts, r.start) - 1, 0),
            clean=clean_transcript_text(r.text),
            candidate=r.candidate,
        )
        for r in summary.sentences
    ]
    return score_sentences(document, sentences)


def word_counts(records: Sequence[SentenceRecord]) -> list[int]:
    """Words of each sentence once disfluency markers, fillers and stutters are removed."""
    return [len(clean_transcript_text(r.text).split()) for r in records]


def fill_budget(order: Sequence[int], lengths: Sequence[int], budget: int) -> list[int]:
    """Take items in ``order`` while they fit in ``budget`` words; one that would overflow is skipped."""
    chosen: list[int] = []
    used = 0
    for i in order:
        if used >= budget:
            break
        if lengths[i] == 0 or used + lengths[i] > budget:
            continue
        chosen.append(i)
        used += lengths[i]
    return chosen


def _headline_indices(summary: DocumentSummary) -> dict[int, int]:
    """Sentence index -> takeaway rank, for sentences that head a takeaway."""
    by_span = {(r.start, r.end): r.i for r in summary.sentences}
    out: dict[int, int] = {}
    for takeaway in summary.takeaways:
        i = by_span.get((takeaway.start, takeaway.end))
        if i is not None and summary.sentences[i].candidate:
            out.setdefault(i, takeaway.rank)
    return out
