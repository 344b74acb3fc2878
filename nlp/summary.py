"""The output contract: ``DocumentSummary`` and ``CorpusSummary``, versioned and exported as JSON Schema.

Every piece of evidence carries ``start``/``end`` character offsets into the document's normalized
``text`` (stored in the summary too), so ``text[start:end]`` is the evidence.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from nlp.document import DocumentKind, Segment

SUMMARY_SCHEMA_VERSION = 1

ThemeReason = Literal["pattern", "model", "both", "reviewed"]
"""Why a sentence carries a theme: a seed pattern matched, the model scored it, both, or an analyst
said so."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(_Frozen):
    """A verbatim stretch of the document: ``text == document.text[start:end]``."""

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Evidence(Span):
    speaker: str | None = None


class SentenceRecord(Span):
    i: int = Field(ge=0)
    speaker: str | None = None
    themes: dict[str, float] = Field(
        default_factory=dict, description="theme id -> probability, assigned only"
    )
    reasons: dict[str, ThemeReason] = Field(default_factory=dict, description="why each theme was given")
    candidate: bool = Field(
        default=True, description="eligible as a takeaway (not back-channel or logistics)"
    )
    reviewed: bool = Field(
        default=False, description="an analyst decided on its themes: they override the model's"
    )


class Takeaway(_Frozen):
    rank: int = Field(ge=1)
    theme: str
    theme_label: str
    text: str = Field(description="the headline sentence, verbatim")
    start: int
    end: int
    speaker: str | None = None
    score: float
    evidence: list[Evidence] = Field(default_factory=list, description="supporting sentences")
    keyphrases: list[str] = Field(default_factory=list)
    reason: str = Field(description="why it ranked: the score's parts in words")


class Quote(Span):
    speaker: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None


class Entity(Span):
    label: str


class Person(_Frozen):
    name: str
    role: str | None = None
    organisation: str | None = None
    start: int | None = Field(default=None, description="where the text names them; None for a speaker label")
    end: int | None = None
    participant: bool = Field(
        default=False,
        description="takes part in the event (speaks, chairs, presents, is quoted speaking, or is the "
        "speaker the metadata names), not merely mentioned",
    )


class EventFacts(_Frozen):
    """What a lede needs: what happened, when, where, and who (organiser and main speakers with roles)."""

    what: Span | None = None
    when: Span | None = None
    date: dt.date | None = None
    where: Span | None = None
    organiser: Span | None = None
    people: list[Person] = Field(default_factory=list)
    speaker: str | None = Field(
        default=None,
        description="who delivered a statement: the metadata's speaker, or the one the text names as "
        'delivering it ("Keynote speech by X", "My name is X")',
    )
    given: dict[str, str] = Field(
        default_factory=dict,
        description="facts the user gave as metadata (speaker, role, organisation, event, place): "
        "stated as given, without offsets",
    )


class ModelInfo(_Frozen):
    spacy_pipeline: str
    theme_model: str
    taxonomy: str


class DocumentSummary(_Frozen):
    schema_version: int = SUMMARY_SCHEMA_VERSION
    id: str
    source: str
    title: str | None
    format: str
    kind: DocumentKind
    date: dt.date | None
    speakers: list[str]
    text: str
    segments: list[Segment] = Field(description="speaker turns or paragraphs of text, as ingested")
    sentences: list[SentenceRecord]
    takeaways: list[Takeaway]
    quotes: list[Quote]
    entities: list[Entity]
    facts: EventFacts
    keyphrases: list[str]
    model: ModelInfo
    outside_taxonomy: bool = Field(
        default=False,
        description="too few sentences carry a theme: the document's subject lies outside the taxonomy, "
        "so it has no themed takeaway",
    )
