"""Bytes to text: honour byte-order marks, prefer UTF-8, fall back to Windows-1252, refuse binary data."""

from __future__ import annotations

import codecs

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
