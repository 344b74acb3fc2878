"""The error catalogue: every way an input can be rejected, with a message a user understands.

Readers raise :class:`IngestFailure`; the code that drives them turns it into an :class:`IngestError`
record, so a bad input never stops the other documents.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class ErrorCode(StrEnum):
    EMPTY = "empty"
    BINARY = "binary"
    ENCODING = "encoding"
    TOO_LARGE = "too_large"
    UNREADABLE = "unreadable"
    NOT_FOUND = "not_found"
    SYMLINK_LOOP = "symlink_loop"
    HIDDEN = "hidden"
    UNSUPPORTED = "unsupported_format"
    MALFORMED = "malformed"
    TRUNCATED = "truncated"
    NO_TEXT_LAYER = "no_text_layer"
    NO_TEXT = "no_text"
    FETCH = "fetch_failed"
    TOO_SLOW = "too_slow"
    DUPLICATE = "duplicate"
    ANALYSIS = "analysis_failed"


class IngestFailure(Exception):
    """Raised by a reader when an input cannot become a document."""

    def __init__(self, code: ErrorCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def __reduce__(self) -> tuple[type[IngestFailure], tuple[ErrorCode, str]]:
        # Exceptions are pickled from ``args`` alone; keep the code so a failure survives crossing a
        # process boundary (Dask workers, Prefect task results).
        return (type(self), (self.code, self.reason))

    def __repr__(self) -> str:
        return f"IngestFailure({self.code.value!r}, {self.reason!r})"


class IngestError(BaseModel):
    """One rejected input: where it was and why, as shown to the user and stored in the run."""

    model_config = ConfigDict(frozen=True)

    path: str
    code: ErrorCode
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"
