"""PDF text layer: pages in order, lines joined into paragraphs, words hyphenated across lines rejoined.

A PDF without a text layer (a scan) is reported as such: OCR is out of scope.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zlib
from dataclasses import dataclass

from pypdf import PageObject, PdfReader
from pypdf.errors import DependencyError, PdfReadError, PyPdfError

from nlp.document import Document
from nlp.errors import ErrorCode, IngestFailure
from nlp.ingest.assemble import assemble
from nlp.ingest.dates import find_date
from nlp.normalize import Block, clean_inline, is_boilerplate

_PAGE_NUMBER = re.compile(r"^\s*(page\s+)?\d+(\s*(/|of)\s*\d+)?\s*$", re.I)
_HYPHEN_END = re.compile(r"\w-$")
_LIST_START = re.compile(r"^([•·▪◦‣●○■□\-*]\s+|\d{1,2}[.)]\s+\S)")
_SENTENCE_END = (".", "!", "?", ":", "”", '"', ")")
_NOT_A_HEADING_END = (*_SENTENCE_END, ",", ";", "-", "–")
_MIN_CHARS_PER_PAGE = 20
_DAMAGED = (
    PyPdfError, ValueError, KeyError, TypeError, AttributeError, EOFError, IndexError,
    zlib.error, struct.error, RecursionError, ZeroDivisionError,
)  # fmt: skip


@dataclass(frozen=True)
class _Line:
    text: str
    gap_before: bool
    """The page shows vertical space above this line (known only where the layout rendering agrees)."""


@dataclass(frozen=True)
class _Page:
    lines: list[_Line]
    has_layout: bool


def read_pdf(data: bytes, *, source: str) -> Document:
    if not data:
        raise IngestFailure(ErrorCode.EMPTY, "the file is empty")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not _decrypt(reader):
            raise IngestFailure(
                ErrorCode.UNREADABLE, "the PDF is password-protected; save an unprotected copy"
            )
        pages = [_read_page(page) for page in reader.pages]
        has_images = any(_has_images(page) for page in reader.pages)
        info: dict[str, object] = dict(reader.metadata or {})
        title = str(info.get("/Title") or "").strip() or None
        created = _pdf_date(str(info.get("/CreationDate") or ""))
    except IngestFailure:
        raise
    except _DAMAGED as exc:
        raise IngestFailure(ErrorCode.TRUNCATED, f"the PDF is damaged or truncated ({exc})") from exc
    if not pages:
        raise IngestFailure(ErrorCode.TRUNCATED, "the PDF has no pages (damaged or truncated?)")
    letters = sum(ch.isalnum() for page in pages for line in page.lines for ch in line.text)
    if letters == 0 or (has_images and letters < _MIN_CHARS_PER_PAGE * len(pages)):
        raise IngestFailure(
            ErrorCode.NO_TEXT_LAYER,
            "the PDF has no text layer (it looks like a scanned image); run OCR on it first",
        )
    blocks = _paragraphs(pages)
    return assemble(blocks, source=source, format="pdf", kind="statement", title=title,
                    date=created or find_date(title), metadata={"pages": str(len(pages))})  # fmt: skip


def _decrypt(reader: PdfReader) -> bool:
    """Many PDFs are encrypted only to restrict printing or copying, with an empty open password."""
    try:
        return bool(reader.decrypt(""))
    except (DependencyError, NotImplementedError, PdfReadError):
        return False


def _read_page(page: PageObject) -> _Page:
    """The page's text in content order, with paragraph gaps taken from pypdf's layout rendering.

    The layout rendering places text by position, so it shows blank lines between paragraphs, but it
    interleaves columns; so the text comes from the plain extraction and only the gaps from the layout,
    for the lines where both agree.
    """
    plain = (page.extract_text() or "").split("\n")
    try:
        layout = (page.extract_text(extraction_mode="layout") or "").split("\n")
    except _DAMAGED:
        layout = []
    entries: list[tuple[str, bool]] = []
    gap = False
    for line in layout:
        key = _key(line)
        if key:
            entries.append((key, gap))
        gap = not key
    lines: list[_Line] = []
    matched = at = 0
    for line in plain:
        key = _key(line)
        found = next((k for k in range(at, min(at + 3, len(entries))) if entries[k][0] == key), None)
        if key and found is not None:
            matched += 1
            at = found + 1
        lines.append(_Line(line, gap_before=bool(lines) and found is not None and entries[found][1]))
    content = sum(bool(_key(line)) for line in plain)
    return _Page(lines=lines, has_layout=content > 0 and matched >= 0.8 * content)


def _key(line: str) -> str:
    return re.sub(r"\s+", "", line)


def _has_images(page: PageObject) -> bool:
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else None
    xobjects = resources.get("/XObject") if resources is not None else None
    if xobjects is None:
        return False
    xobjects = xobjects.get_object()
    return any(xobjects[name].get_object().get("/Subtype") == "/Image" for name in xobjects)


def _paragraphs(pages: list[_Page]) -> list[Block]:
    """Rebuild paragraphs from lines.

    A paragraph ends at vertical space (where the layout shows it) or, failing that, at a short line that
    ends a sentence; a list item starts a new block; a short line without closing punctuation standing
    alone, or right after a sentence's end, is a heading (not the start of the next sentence); a word
    hyphenated at the end of a line (or page) is rejoined.
    """
    width = max((len(line.text.strip()) for page in pages for line in page.lines), default=0)
    blocks: list[Block] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            blocks.append(Block(text=" ".join(current)))
            current.clear()

    for page in pages:
        first_on_page = True
        for raw in page.lines:
            line = clean_inline(raw.text)
            if not line:
                if not page.has_layout:
                    flush()
                continue
            if _PAGE_NUMBER.match(line) or is_boilerplate(line):
                continue
            if current and _HYPHEN_END.search(current[-1]) and line[0].islower():
                current[-1] = current[-1][:-1] + line
            else:
                heading = _looks_like_heading(line, width)
                sentence_ended = bool(current) and current[-1].endswith(_SENTENCE_END)
                if (
                    (sentence_ended and (first_on_page or heading))
                    or raw.gap_before
                    or _LIST_START.match(line)
                ):
                    flush()
                if not current and heading:
                    blocks.append(Block(text=line, kind="heading"))
                    first_on_page = False
                    continue
                current.append(line)
            first_on_page = False
            if not page.has_layout and current[-1].endswith(_SENTENCE_END) and len(line) < 0.8 * width:
                flush()
    flush()
    return blocks


def _looks_like_heading(line: str, width: int) -> bool:
    return (
        len(line) < 0.6 * width
        and not line.endswith(_NOT_A_HEADING_END)
        and not _LIST_START.match(line)
        and line[0].isalnum()
        and not line[0].islower()
    )


def _pdf_date(value: str) -> dt.date | None:
    """PDF dates look like ``D:20250325101500+01'00'``."""
    match = re.match(r"D:(\d{4})(\d{2})(\d{2})", value)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
