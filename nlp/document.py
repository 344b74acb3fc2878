"""The document model every reader produces and every later step consumes."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = 1

DocumentKind = Literal["transcript", "statement"]
SegmentKind = Literal["turn", "paragraph", "heading", "item"]


class Segment(BaseModel):
    """A speaker turn or a paragraph: character offsets into ``Document.text``, plus times for media."""

    model_config = ConfigDict(frozen=True)

    speaker: str | None = None
    start_s: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    end_s: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    kind: SegmentKind = "paragraph"
    source_index: int | None = Field(default=None, ge=0)
    """Position of the turn, cue or element in the source file (e.g. a QMSum turn index)."""

    @model_validator(mode="after")
    def _times_are_consistent(self) -> Segment:
        if self.start_s is not None and self.end_s is not None and self.end_s < self.start_s:
            raise ValueError(f"segment ends ({self.end_s}s) before it starts ({self.start_s}s)")
        return self


class Document(BaseModel):
    """A normalized document: ``text[seg.start:seg.end]`` is each segment's text; ``id`` hashes ``text``."""

    model_config = ConfigDict(frozen=True)

    schema_version: int = SCHEMA_VERSION
    id: str
    source: str
    format: str
    kind: DocumentKind
    title: str | None = None
    date: dt.date | None = None
    language: str = "en"
    text: str
    segments: tuple[Segment, ...]
    metadata: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _offsets_are_consistent(self) -> Document:
        if self.id != text_id(self.text):
            raise ValueError("id is not the sha256 of text")
        previous_end = 0
        for seg in self.segments:
            if not previous_end <= seg.start < seg.end <= len(self.text):
                raise ValueError(f"segment {seg.start}:{seg.end} is out of order or outside the text")
            previous_end = seg.end
        return self

    @property
    def speakers(self) -> list[str]:
        """Distinct speakers in order of first appearance."""
        return list(dict.fromkeys(s.speaker for s in self.segments if s.speaker))

    def segment_text(self, segment: Segment) -> str:
        return self.text[segment.start : segment.end]


def text_id(text: str) -> str:
    """The document id: the same normalized content from two paths is one document."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
