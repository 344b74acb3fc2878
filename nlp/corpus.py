"""The cross-document view: theme prevalence by document, date and speaker; emerging topics; errors.

Emerging topics are looked for among the sentences no theme covers, leaving out courtesy and procedure
("Thank you, Mr. President", "the next item on the agenda"), which would otherwise make the biggest
"topics" of any corpus of speeches or meetings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from nlp.errors import IngestError
from nlp.rank import is_ceremonial
from nlp.summary import SUMMARY_SCHEMA_VERSION, DocumentSummary
from nlp.topics import EmergingTopic, emerging_topics


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DocumentEntry(_Frozen):
    id: str
    source: str
    title: str | None
    kind: str
    date: dt.date | None
    speakers: list[str]
    sentences: int
    takeaways: list[str] = Field(description="theme ids of the takeaways, in rank order")
    prevalence: dict[str, float] = Field(description="theme -> share of candidate sentences carrying it")
    outside_taxonomy: bool = Field(
        default=False, description="the document's subject lies outside the taxonomy"
    )


class CorpusSummary(_Frozen):
    schema_version: int = SUMMARY_SCHEMA_VERSION
    themes: dict[str, str] = Field(description="theme id -> label, in taxonomy order")
    documents: list[DocumentEntry]
    prevalence_by_date: dict[str, dict[str, float]] = Field(description="YYYY-MM -> theme -> mean share")
    prevalence_by_speaker: dict[str, dict[str, float]] = Field(description="speaker -> theme -> share")
    emerging_topics: list[EmergingTopic]
    errors: list[IngestError]


def aggregate(
    summaries: Iterable[DocumentSummary], *, labels: dict[str, str], errors: Sequence[IngestError] = ()
) -> CorpusSummary:
    builder = CorpusBuilder()
    for summary in summaries:
        builder.add(summary)
    return builder.build(labels=labels, errors=errors)


class CorpusBuilder:
    """The corpus view built one summary at a time, keeping only what the view needs of each: a caller
    can stream summaries from the store instead of holding them all."""

    def __init__(self) -> None:
        self.entries: list[DocumentEntry] = []
        self._talk: dict[str, int] = defaultdict(int)
        self._speaker_themes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._unthemed: list[tuple[str, int, str]] = []

    def add(self, summary: DocumentSummary) -> None:
        self.entries.append(_entry(summary))
        for r in summary.sentences:
            if r.speaker and r.candidate:
                self._talk[r.speaker] += 1
                for theme in r.themes:
                    self._speaker_themes[r.speaker][theme] += 1
        self._unthemed += [
            (summary.id, r.i, r.text)
            for r in summary.sentences
            if r.candidate and not r.themes and not is_ceremonial(r.text)
        ]

    def build(self, *, labels: dict[str, str], errors: Sequence[IngestError] = ()) -> CorpusSummary:
        return CorpusSummary(
            themes=labels,
            documents=self.entries,
            prevalence_by_date=_by_date(self.entries),
            prevalence_by_speaker={speaker: self._shares(speaker) for speaker in sorted(self._talk)},
            emerging_topics=emerging_topics(self._unthemed),
            errors=list(errors),
        )

    def _shares(self, speaker: str) -> dict[str, float]:
        total = self._talk[speaker]
        return {t: round(n / total, 4) for t, n in sorted(self._speaker_themes[speaker].items())}


def _entry(summary: DocumentSummary) -> DocumentEntry:
    candidates = [r for r in summary.sentences if r.candidate]
    counts: dict[str, int] = defaultdict(int)
    for r in candidates:
        for theme in r.themes:
            counts[theme] += 1
    total = len(candidates) or 1
    return DocumentEntry(
        id=summary.id,
        source=summary.source,
        title=summary.title,
        kind=summary.kind,
        date=summary.date,
        speakers=summary.speakers,
        sentences=len(summary.sentences),
        takeaways=[t.theme for t in summary.takeaways],
        prevalence={theme: round(n / total, 4) for theme, n in sorted(counts.items())},
        outside_taxonomy=summary.outside_taxonomy,
    )


def _by_date(entries: Sequence[DocumentEntry]) -> dict[str, dict[str, float]]:
    months: dict[str, list[DocumentEntry]] = defaultdict(list)
    for e in entries:
        if e.date is not None:
            months[e.date.strftime("%Y-%m")].append(e)
    result = {}
    for month, group in sorted(months.items()):
        themes = sorted({t for e in group for t in e.prevalence})
        result[month] = {
            t: round(sum(e.prevalence.get(t, 0.0) for e in group) / len(group), 4) for t in themes
        }
    return result
