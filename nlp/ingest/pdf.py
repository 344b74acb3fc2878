"""PDF text layer: pages in order, lines joined into paragraphs, words hyphenated across lines rejoined.

A PDF without a text layer (a scan) is reported as such: OCR is out of scope.
"""

from __future__ import annotations

import datetime as dt
import io
import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PdfStreamError

from nlp.document import Document
from nlp.errors import ErrorCode, IngestFailure
from nlp.ingest.assemble import assemble
from nlp.ingest.dates import find_date
from nlp.normalize import Block, clean_inline, is_boilerplate

_HYPHENATED = re.compile(r"(\w)-\n(?=[a-z])")
_PAGE_NUMBER = re.compile(r"^\s*(page\s+)?\d+(\s*(/|of)\s*\d+)?\s*$", re.I)
_SENTENCE_END = (".", "!", "?", ":", "”", '"', ")")
_MIN_CHARS_PER_PAGE = 20


def read_pdf(data: bytes, *, source: str) -> Document:
    if not data:
        raise IngestFailure(ErrorCode.EMPTY, "the file is empty")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise IngestFailure(ErrorCode.UNREADABLE, "the PDF is encrypted; save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except IngestFailure:
        raise
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, AttributeError, EOFError) as exc:
        raise IngestFailure(ErrorCode.TRUNCATED, f"the PDF is damaged or truncated ({exc})") from exc
    if not pages:
        raise IngestFailure(ErrorCode.TRUNCATED, "the PDF has no pages (damaged or truncated?)")
    if sum(len(p.strip()) for p in pages) < _MIN_CHARS_PER_PAGE * len(pages):
        raise IngestFailure(
            ErrorCode.NO_TEXT_LAYER,
            "the PDF has no text layer (it looks like a scanned image); run OCR on it first",
        )
    info = reader.metadata or {}
    title = str(info.get("/Title") or "").strip() or None
    created = _pdf_date(str(info.get("/CreationDate") or ""))
    blocks = _paragraphs(pages)
    return assemble(blocks, source=source, format="pdf", kind="statement", title=title,
                    date=created or find_date(title), metadata={"pages": str(len(pages))})  # fmt: skip


def _paragraphs(pages: list[str]) -> list[Block]:
    """Rebuild paragraphs: a short line that ends a sentence closes one; page breaks do not."""
    lines: list[str] = []
    for page in pages:
        lines.extend(line for line in page.split("\n") if not _PAGE_NUMBER.match(line))
    text = _HYPHENATED.sub(r"\1", "\n".join(lines))
    lines = [clean_inline(line) for line in text.split("\n")]
    width = max((len(line) for line in lines), default=0)
    blocks: list[Block] = []
    current: list[str] = []
    for line in lines:
        if not line or is_boilerplate(line):
            if current and not line:
                blocks.append(Block(text=" ".join(current)))
                current = []
            continue
        current.append(line)
        if line.endswith(_SENTENCE_END) and len(line) < 0.8 * width:
            blocks.append(Block(text=" ".join(current)))
            current = []
    if current:
        blocks.append(Block(text=" ".join(current)))
    return blocks


def _pdf_date(value: str) -> dt.date | None:
    """PDF dates look like ``D:20250325101500+01'00'``."""
    match = re.match(r"D:(\d{4})(\d{2})(\d{2})", value)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
