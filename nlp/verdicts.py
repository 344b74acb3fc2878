"""Analysts' verdicts applied to a summary: a decision overrides the model's label for its sentence.

A verdict accepts, rejects or relabels one theme of one sentence. Applied in the order they were made,
verdicts are set operations on the sentence's themes (accept keeps or adds, reject removes, relabel
replaces), so applying the later ones to a summary that already has the earlier ones gives the same
result as replaying them all on the model's labels. The sentence is found by its character offsets,
which stay valid for as long as the document (whose id hashes its text) exists; a verdict whose
sentence is not there any more is skipped, not guessed.

When a sentence's themes change, the document's takeaways are chosen again from the stored sentences
alone (no spaCy): the same salience, key-sentence model and selection the analysis used, so a summary
with no changed theme gets back exactly the takeaways it had.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from nlp.document import Document
from nlp.key_sentences import KeySentenceModel
from nlp.linguistic import Sentence, clean_transcript_text
from nlp.scope import outside_taxonomy
from nlp.summary import DocumentSummary, SentenceRecord, Takeaway, ThemeReason
from nlp.takeaways import TakeawayOptions, score_sentences, select_takeaways
from nlp.themes import ThemeDecision

REVIEWED: ThemeReason = "reviewed"
DEFAULT_OPTIONS = TakeawayOptions()
GIVEN_PROBABILITY = 1.0
"""An analyst's own theme: certain."""


class Verdict(Protocol):
    """What a decision says, as the store's decision records carry it."""

    @property
    def sentence_start(self) -> int: ...
    @property
    def sentence_end(self) -> int: ...
    @property
    def theme(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def new_theme(self) -> str | None: ...


def apply_to_themes(themes: Iterable[str], verdicts: Iterable[Verdict]) -> list[str]:
    """A sentence's theme ids after its verdicts, in the order they were made."""
    out = list(dict.fromkeys(themes))
    for v in verdicts:
        if v.action == "accept" and v.theme not in out:
            out.append(v.theme)
        elif v.action in ("reject", "relabel") and v.theme in out:
            out.remove(v.theme)
        if v.action == "relabel" and v.new_theme is not None and v.new_theme not in out:
            out.append(v.new_theme)
    return out


@dataclass(frozen=True)
class Applied:
    summary: DocumentSummary
    changed: bool
    """some sentence's themes changed, so the takeaways were chosen again"""
    skipped: int
    """verdicts whose sentence the document no longer has"""


def apply_verdicts(
    summary: DocumentSummary,
    verdicts: Iterable[Verdict],
    *,
    labels: Mapping[str, str],
    key_model: KeySentenceModel | None,
    options: TakeawayOptions = DEFAULT_OPTIONS,
) -> Applied:
    """The summary with ``verdicts`` applied: each decided sentence marked as reviewed, the themes it was
    given by an analyst recorded with reason "reviewed", and the takeaways chosen again if any theme
    changed."""
    by_span = {(s.start, s.end): s.i for s in summary.sentences}
    grouped: dict[int, list[Verdict]] = {}
    skipped = 0
    for v in verdicts:
        i = by_span.get((v.sentence_start, v.sentence_end))
        if i is None:
            skipped += 1
        else:
            grouped.setdefault(i, []).append(v)
    if not grouped:
        return Applied(summary, changed=False, skipped=skipped)
    sentences, changed = [], False
    for s in summary.sentences:
        if s.i not in grouped:
            sentences.append(s)
            continue
        record = _reviewed(s, grouped[s.i])
        changed = changed or set(record.themes) != set(s.themes)
        sentences.append(record)
    update: dict[str, object] = {"sentences": sentences}
    if changed:
        update["takeaways"] = reselect_takeaways(
            summary, sentences, labels=labels, key_model=key_model, options=options
        )
        update["outside_taxonomy"] = outside_taxonomy((s.candidate, bool(s.themes)) for s in sentences)
    return Applied(summary.model_copy(update=update), changed=changed, skipped=skipped)


def _reviewed(s: SentenceRecord, verdicts: list[Verdict]) -> SentenceRecord:
    kept = apply_to_themes(s.themes, verdicts)
    touched = {v.theme for v in verdicts if v.action == "accept"} | {
        v.new_theme for v in verdicts if v.action == "relabel" and v.new_theme
    }
    themes = {t: s.themes.get(t, GIVEN_PROBABILITY) for t in kept}
    reasons: dict[str, ThemeReason] = {
        t: REVIEWED if t in touched or t not in s.reasons else s.reasons[t] for t in kept
    }
    return s.model_copy(update={"themes": themes, "reasons": reasons, "reviewed": True})


def reselect_takeaways(
    summary: DocumentSummary,
    records: Sequence[SentenceRecord] | None = None,
    *,
    labels: Mapping[str, str],
    key_model: KeySentenceModel | None,
    options: TakeawayOptions = DEFAULT_OPTIONS,
) -> list[Takeaway]:
    """The takeaways chosen again from stored sentences (``records``, by default the summary's own), as
    :func:`nlp.analyse.summarise` chose them; a takeaway keeps the keyphrases its theme had."""
    records = summary.sentences if records is None else records
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
    sentences = [_sentence(r, document) for r in records]
    decisions = [ThemeDecision(scores=dict(r.themes), reasons=dict(r.reasons)) for r in records]
    scored = score_sentences(document, sentences, decisions=decisions, key_model=key_model)
    keyphrases = {t.theme: t.keyphrases for t in summary.takeaways}
    return select_takeaways(scored, decisions, labels=dict(labels), keyphrases=keyphrases, options=options)


def _sentence(record: SentenceRecord, document: Document) -> Sentence:
    """The analysis's sentence back from its record: the segment it starts in, its cleaned text."""
    starts = [seg.start for seg in document.segments]
    return Sentence(
        i=record.i,
        start=record.start,
        end=record.end,
        text=record.text,
        speaker=record.speaker,
        segment=max(bisect.bisect_right(starts, record.start) - 1, 0),
        clean=clean_transcript_text(record.text),
        candidate=record.candidate,
    )
