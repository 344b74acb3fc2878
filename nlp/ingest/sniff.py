"""Choose a reader: content first (magic bytes, headers), then the file extension."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePosixPath

from nlp.errors import ErrorCode, IngestFailure

FORMATS_BY_EXTENSION = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".vtt": "vtt",
    ".srt": "srt",
    ".json": "json",
    ".docx": "docx",
    ".pdf": "pdf",
}
_VTT_START = re.compile(rb"^\s*WEBVTT(?:[ \t\r\n]|$)")
_SRT_START = re.compile(rb"^\s*\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->")
_HTML_START = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S
)
_FEED_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:RDF)\b", re.S)


def sniff_format(data: bytes, name: str | None) -> str:
    """Return the reader's format name, or raise UNSUPPORTED with what the file seems to be."""
    head = _strip_bom(data[:2048])
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data, PurePosixPath(name or "").suffix.lower())
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestFailure(
            ErrorCode.UNSUPPORTED, "legacy Microsoft Office file (.doc): save it as .docx and try again"
        )
    suffix = PurePosixPath(name or "").suffix.lower()
    if _VTT_START.match(head) and (suffix == ".vtt" or b"-->" in _strip_bom(data[:65536])):
        return "vtt"
    if _SRT_START.match(head):
        return "srt"
    if _HTML_START.match(head):
        return "html"
    if _FEED_START.match(head):
        return "feed"
    if suffix in FORMATS_BY_EXTENSION:
        return FORMATS_BY_EXTENSION[suffix]
    raise IngestFailure(
        ErrorCode.UNSUPPORTED,
        f"unsupported format {suffix or '(no extension)'}: expected one of "
        + ", ".join(sorted(set(FORMATS_BY_EXTENSION))),
    )


def _strip_bom(head: bytes) -> bytes:
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom) :]
            return head.replace(b"\x00", b"") if bom != b"\xef\xbb\xbf" else head
    return head


def _zip_kind(data: bytes, suffix: str) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError):
        if suffix == ".docx":
            return "docx"  # the reader reports the damage with a docx-specific message
        raise IngestFailure(ErrorCode.UNSUPPORTED, "a damaged ZIP archive that is not named .docx") from None
    if "word/document.xml" in names:
        return "docx"
    raise IngestFailure(ErrorCode.UNSUPPORTED, "a ZIP archive that is not a Word .docx document")
