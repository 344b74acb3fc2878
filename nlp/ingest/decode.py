"""Bytes to text: honour byte-order marks, prefer UTF-8, fall back to Windows-1252, refuse binary data.

A UTF-8 file with a few bad lines (one pasted from an old Word document, a byte damaged in transit) is
still UTF-8: only the bad lines are read as Windows-1252, and the encoding recorded in the document's
metadata says which, so "José García" elsewhere in the file stays "José García"."""

from __future__ import annotations

import codecs
import re

from nlp.errors import ErrorCode, IngestFailure

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAX_CONTROL_RATIO = 0.02


def decode_text(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise :class:`IngestFailure` for empty or binary input."""
    if not data:
        raise IngestFailure(ErrorCode.EMPTY, "the file is empty")
    encoding = _detect_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise IngestFailure(
            ErrorCode.ENCODING, f"the text is not valid {encoding} (byte {exc.start} cannot be decoded)"
        ) from exc
    if encoding in _SINGLE_BYTE and _has_utf8_text(data):
        text, encoding = _mostly_utf8(data)
    if _control_ratio(text) > _MAX_CONTROL_RATIO:
        raise IngestFailure(ErrorCode.BINARY, "the file holds binary data, not text")
    if not text.strip():
        raise IngestFailure(ErrorCode.EMPTY, "the file contains only whitespace")
    return text, encoding


def _detect_encoding(data: bytes) -> str:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if b"\x00" in data[:4096]:
        return _guess_utf16_without_bom(data)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


_SINGLE_BYTE = ("cp1252", "latin-1")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _has_utf8_text(data: bytes) -> bool:
    """Some line holds non-ASCII text that is valid UTF-8: the file was written as UTF-8."""
    for line in data.splitlines():
        if _UTF8_MULTIBYTE.search(line):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            return True
    return False


def _mostly_utf8(data: bytes) -> tuple[str, str]:
    """UTF-8 line by line; a line that is not UTF-8 is read as Windows-1252 (Latin-1 if even that fails)."""
    lines, repaired = [], []
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(
                line.decode("cp1252", errors="strict") if _is_cp1252(line) else line.decode("latin-1")
            )
            repaired.append(number)
    shown = ", ".join(map(str, repaired[:10])) + (
        f" and {len(repaired) - 10} more" if len(repaired) > 10 else ""
    )
    noun = "line" if len(repaired) == 1 else "lines"
    return "\n".join(lines), f"utf-8 ({noun} {shown} not UTF-8: read as Windows-1252)"


def _is_cp1252(line: bytes) -> bool:
    try:
        line.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _guess_utf16_without_bom(data: bytes) -> str:
    """UTF-16 text of mostly ASCII has NUL in every other byte; anything else with NULs is binary."""
    sample = data[:4096]
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nuls > 0.8 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.8 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    raise IngestFailure(ErrorCode.BINARY, "the file holds binary data, not text (it contains NUL bytes)")


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0x7F <= ord(ch) < 0xA0)
    return controls / len(sample)
