"""Readers, one per format, chosen by content sniffing first and file extension second."""

from __future__ import annotations

import logging
from collections.abc import Callable

from nlp.document import Document
from nlp.errors import ErrorCode, IngestFailure
from nlp.ingest.cues import read_srt, read_vtt
from nlp.ingest.docx import read_docx
from nlp.ingest.html import read_html
from nlp.ingest.json_reader import read_json
from nlp.ingest.pdf import read_pdf
from nlp.ingest.sniff import FORMATS_BY_EXTENSION, sniff_format
from nlp.ingest.text import read_text

logger = logging.getLogger(__name__)

Reader = Callable[..., Document]

READERS: dict[str, Reader] = {
    "txt": read_text,
    "md": lambda data, *, source: read_text(data, source=source, format="md"),
    "html": read_html,
    "vtt": read_vtt,
    "srt": read_srt,
    "json": read_json,
    "docx": read_docx,
    "pdf": read_pdf,
}


def read_document(data: bytes, *, source: str, name: str | None = None) -> Document:
    """Read one input's bytes into a Document; raise :class:`IngestFailure` with the reason if it can't."""
    if not data:
        raise IngestFailure(ErrorCode.EMPTY, "the file is empty")
    fmt = sniff_format(data, name if name is not None else source)
    if fmt == "feed":
        raise IngestFailure(
            ErrorCode.UNSUPPORTED, "an RSS/Atom feed: give its http(s) URL as a source instead"
        )
    try:
        return READERS[fmt](data, source=source)
    except (IngestFailure, MemoryError):
        raise
    except Exception as exc:  # a reader bug or a library choking on odd input: one bad file, not a crash
        logger.exception("unexpected error reading %s as %s", source, fmt)
        raise IngestFailure(
            ErrorCode.MALFORMED,
            f"unexpected error while reading the {fmt} file ({type(exc).__name__}: {exc})",
        ) from exc


__all__ = ["FORMATS_BY_EXTENSION", "READERS", "read_document"]
