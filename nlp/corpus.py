"""The cross-document view: theme prevalence by document, date and speaker; emerging topics; errors."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from nlp.errors import IngestError
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


class CorpusSummary(_Frozen):
    schema_version: int = SUMMARY_SCHEMA_VERSION
    themes: dict[str, str] = Field(description="theme id -> label, in taxonomy order")
    documents: list[DocumentEntry]
    prevalence_by_date: dict[str, dict[str, float]] = Field(description="YYYY-MM -> theme -> mean share")
    prevalence_by_speaker: dict[str, dict[str, float]] = Field(description="speaker -> theme -> share")
    emerging_topics: list[EmergingTopic]
    errors: list[IngestError]


def aggregate(
    summaries: Sequence[DocumentSummary], *, labels: dict[str, str], errors: Sequence[IngestError] = ()
) -> CorpusSummary:
    entries = [_entry(s) for s in summaries]
    return CorpusSummary(
        themes=labels,
        documents=entries,
        prevalence_by_date=_by_date(entries),
        prevalence_by_speaker=_by_speaker(summaries),
        emerging_topics=emerging_topics(
            [(s.id, r.i, r.text) for s in summaries for r in s.sentences if r.candidate and not r.themes]
        ),
        errors=list(errors),
    )


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


def _by_speaker(summaries: Sequence[DocumentSummary]) -> dict[str, dict[str, float]]:
    totals: dict[str, int] = defaultdict(int)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for s in summaries:
        for r in s.sentences:
            if r.speaker and r.candidate:
                totals[r.speaker] += 1
                for theme in r.themes:
                    counts[r.speaker][theme] += 1
    return {
        speaker: {t: round(n / totals[speaker], 4) for t, n in sorted(counts[speaker].items())}
        for speaker in sorted(totals)
    }
