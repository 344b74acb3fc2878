"""Analysts' decisions as JSON Lines, so they can be shared, versioned and used as labels elsewhere.

One decision a line::

    {"doc": "<id or unique prefix>", "sentence": 12, "theme": "financing", "decision": "relabel",
     "to": "partnerships", "by": "Ada", "at": "2026-12-07T10:00:00+00:00"}

Export writes every decision in the order it was made, with the full document id and, beside the
sentence number, the sentence's character offsets (``start``, ``end``), which stay valid for as long as
the document exists. Import checks every line before it writes anything (a bad line is refused with its
number and nothing is imported), then adds the decisions the store does not hold yet in one transaction:
importing a file twice adds nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from flows.store import DecisionRecord, NewDecision, Store, StoreError


class DecisionLine(BaseModel):
    """One line of a decisions file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc: str = Field(min_length=1, description="document id, or a unique prefix of it")
    sentence: int = Field(ge=0, le=10_000_000)
    theme: str = Field(min_length=1)
    decision: Literal["accept", "reject", "relabel"]
    to: str | None = Field(default=None, description="the new theme, for a relabel only")
    by: str = Field(min_length=1, max_length=200)
    at: dt.datetime
    start: int | None = Field(default=None, ge=0, description="the sentence's offsets, checked when given")
    end: int | None = Field(default=None, ge=0)
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _relabel_has_a_target(self) -> DecisionLine:
        if (self.decision == "relabel") != (self.to is not None):
            raise ValueError('"to" is required for a relabel and allowed only there')
        if self.at.tzinfo is None:
            raise ValueError('"at" needs a time zone (e.g. 2026-12-07T10:00:00+00:00)')
        return self


class DecisionFileError(ValueError):
    """A decisions file that cannot be imported; the message names the file, the line and the reason."""


def export_lines(decisions: Iterable[DecisionRecord]) -> Iterator[str]:
    for d in decisions:
        line = DecisionLine(
            doc=d.document_id, sentence=d.sentence_i, theme=d.theme, decision=d.action, to=d.new_theme,
            by=d.who, at=d.at, start=d.sentence_start, end=d.sentence_end, note=d.note,
        )  # fmt: skip
        yield line.model_dump_json(exclude_none=True) + "\n"


def read_lines(path: Path, store: Store, theme_ids: Sequence[str]) -> list[NewDecision]:
    """Every line of ``path`` checked against the store (document, sentence, offsets) and the taxonomy;
    :class:`DecisionFileError` at the first bad line."""
    known = set(theme_ids)
    out: list[NewDecision] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DecisionFileError(f"{path}: cannot be read: {exc}") from None
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            line = DecisionLine.model_validate(json.loads(raw))
        except json.JSONDecodeError as exc:
            raise DecisionFileError(f"{where}: not JSON ({exc.msg})") from None
        except ValidationError as exc:
            problem = exc.errors()[0]
            field = ".".join(str(p) for p in problem["loc"]) or "line"
            raise DecisionFileError(f"{where}: {field}: {problem['msg']}") from None
        for theme in (line.theme, line.to):
            if theme is not None and theme not in known:
                raise DecisionFileError(f"{where}: unknown theme {theme!r} (the taxonomy has {len(known)})")
        try:
            document_id = store.resolve_id(line.doc)
            start, end, _ = store.sentence_span(document_id, line.sentence)
        except StoreError as exc:
            raise DecisionFileError(f"{where}: {exc}") from None
        if (line.start, line.end) != (None, None) and (line.start, line.end) != (start, end):
            raise DecisionFileError(
                f"{where}: sentence {line.sentence} of {document_id[:12]} is at {start}:{end}, "
                f"not {line.start}:{line.end} (another analysis of the document?)"
            )
        out.append(
            NewDecision(
                document_id=document_id,
                sentence_i=line.sentence,
                theme=line.theme,
                action=line.decision,
                new_theme=line.to,
                who=line.by,
                at=line.at,
                note=line.note,
            )
        )
    return out
