"""Helpers shared by the ingestion tests: read small inputs, check a Document's invariants, build .docx."""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Callable
from typing import Any

import docx
import pytest

from nlp.document import Document
from nlp.errors import IngestFailure
from nlp.ingest import read_document

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def read(data: str | bytes, name: str) -> Document:
    """Read a small input written inside a test; ``name`` picks the format as a file name would."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return read_document(raw, source=name)


def fail(data: str | bytes, name: str) -> IngestFailure:
    """Read an input that must be rejected; return the failure for the test to inspect."""
    with pytest.raises(IngestFailure) as caught:
        read(data, name)
    return caught.value


def attempt(data: str | bytes, name: str) -> Document | IngestFailure:
    """Read an input that may be rejected: the document, or the failure (never another exception)."""
    try:
        return read(data, name)
    except IngestFailure as failure:
        return failure


def assert_understandable(failure: IngestFailure) -> None:
    """A rejection reason is a sentence for a person, not a crash report from the safety net."""
    assert failure.reason
    assert "unexpected error" not in failure.reason


def texts(doc: Document) -> list[str]:
    return [doc.segment_text(s) for s in doc.segments]


def turns(doc: Document) -> list[tuple[str | None, str]]:
    return [(s.speaker, doc.segment_text(s)) for s in doc.segments if s.kind == "turn"]


def expected_text(raw: str) -> str:
    """An independent statement of the normalization rules for plain text: NFC, invisible characters
    dropped, control characters and any run of whitespace (incl. non-breaking and thin spaces, tabs,
    line breaks) one space."""
    for char in INVISIBLE:
        raw = raw.replace(char, "")
    raw = "".join(" " if unicodedata.category(c) == "Cc" else c for c in raw)
    return " ".join(unicodedata.normalize("NFC", raw).split())


def assert_well_formed(doc: Document) -> None:
    """The invariants every Document must hold, whatever the reader."""
    assert doc.id == hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    assert doc.segments, "a document has at least one segment"
    previous_end = 0
    for seg in doc.segments:
        assert previous_end <= seg.start < seg.end <= len(doc.text), "ordered, non-overlapping, inside text"
        piece = doc.text[seg.start : seg.end]
        assert piece == piece.strip(), f"segment {piece!r} has no surrounding whitespace"
        assert "\n" not in piece, f"segment {piece!r} is one line"
        assert "  " not in piece, f"segment {piece!r} has no runs of spaces"
        assert not any(c in piece for c in "\u00a0" + INVISIBLE), f"segment {piece!r} has only plain spaces"
        previous_end = seg.end
    assert doc.text == "\n\n".join(texts(doc)), "the text is exactly its segments separated by blank lines"
    assert unicodedata.is_normalized("NFC", doc.text)
    if doc.title is not None:
        assert doc.title
        assert doc.title == doc.title.strip()


def make_docx(build: Callable[[Any], None]) -> bytes:
    """A .docx whose body ``build`` writes with python-docx (headings, paragraphs, tables ...)."""
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
