"""Minimal writer of PDF 1.4 files with a real, extractable text layer.

Why this exists: the ingest tests need PDFs whose text is known exactly (line
breaks, hyphenated words, accented characters), and the project does not want
a PDF-writing dependency just for fixtures.  This module writes such files
directly, following the PDF 1.4 reference: one Type1 base font (Helvetica,
WinAnsiEncoding), one uncompressed content stream per page, a classic
cross-reference table with byte offsets and a trailer with /Root and /Info.

Output is deterministic: the same input always gives the same bytes.
"""

from __future__ import annotations

__all__ = ["build_pdf"]

PAGE_WIDTH = 612  # US Letter, in points
PAGE_HEIGHT = 792
LEFT_MARGIN = 72
TOP_Y = 770
FONT_SIZE = 11
LEADING = 14
BOTTOM_LIMIT = 36  # lowest baseline still comfortably inside the page
MAX_LINES_PER_PAGE = (TOP_Y - BOTTOM_LIMIT) // LEADING + 1


def _encode_text(text: str) -> bytes:
    """Encode ``text`` for a WinAnsiEncoding font, replacing what it lacks.

    Latin-1 printable characters (é, ü, £, ...) map to the same byte in
    WinAnsiEncoding; the typographic extras WinAnsi also has (curly quotes,
    dashes, €) are kept too.  Control characters and anything else become '?'.
    """
    out = bytearray()
    for char in text:
        if ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0:
            out += b"?"
            continue
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            out += b"?"
    return bytes(out)


def _literal_string(raw: bytes) -> bytes:
    """Return ``raw`` as a PDF literal string, e.g. ``(a \\(b\\))``.

    Backslash and parentheses are escaped; bytes outside printable ASCII are
    written as three-digit octal escapes so the content stream stays ASCII.
    """
    out = bytearray(b"(")
    for byte in raw:
        if byte in b"\\()":
            out += b"\\" + bytes([byte])
        elif 0x20 <= byte < 0x7F:
            out.append(byte)
        else:
            out += b"\\%03o" % byte
    out += b")"
    return bytes(out)


def _text_string(text: str) -> bytes:
    """Encode a document-level text string (used for /Title).

    Printable ASCII is written as a literal string; anything else as UTF-16BE
    with a byte order mark, in hexadecimal form, as the spec allows.
    """
    if all(0x20 <= ord(c) < 0x7F for c in text):
        return _literal_string(text.encode("ascii"))
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _content_stream(lines: list[str]) -> bytes:
    """Build the page content: one text object, one line per ``T*``."""
    ops = [
        b"BT",
        b"/F1 %d Tf" % FONT_SIZE,
        b"%d TL" % LEADING,
        b"%d %d Td" % (LEFT_MARGIN, TOP_Y),
    ]
    for index, line in enumerate(lines):
        if index:
            ops.append(b"T*")
        if line:
            ops.append(_literal_string(_encode_text(line)) + b" Tj")
    ops.append(b"ET")
    return b"\n".join(ops) + b"\n"


def build_pdf(pages: list[list[str]], *, title: str | None = None) -> bytes:
    """Return the bytes of a PDF 1.4 file showing ``pages`` as text.

    Each page is a list of lines drawn top to bottom in Helvetica 11 pt with
    14 pt leading, starting at (72, 770).  An empty string gives a blank line;
    an empty page list gives a blank page.  Characters that WinAnsiEncoding
    cannot represent are replaced by '?'.

    Raises ValueError when there are no pages or a page has more lines than
    fit above the bottom margin.
    """
    if not pages:
        raise ValueError("a PDF needs at least one page")
    for number, lines in enumerate(pages, start=1):
        if len(lines) > MAX_LINES_PER_PAGE:
            raise ValueError(
                f"page {number} has {len(lines)} lines; at most {MAX_LINES_PER_PAGE} fit on a page"
            )

    # Object numbers: 1 catalog, 2 page tree, 3 font, 4 info,
    # then for page i: 5 + 2i the page, 6 + 2i its content stream.
    page_ids = [5 + 2 * i for i in range(len(pages))]
    bodies: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % pid for pid in page_ids)
        + b"] /Count %d >>" % len(pages),
        (b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"),
    ]
    info = b"<< /Producer (Takeaways tests.support.pdf_writer)"
    if title is not None:
        info += b" /Title " + _text_string(title)
    bodies.append(info + b" >>")

    for pid, lines in zip(page_ids, pages, strict=False):
        stream = _content_stream(lines)
        media_box = b"[0 0 %d %d]" % (PAGE_WIDTH, PAGE_HEIGHT)
        bodies.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox "
            + media_box
            + b" /Resources << /Font << /F1 3 0 R >> /ProcSet [/PDF /Text] >>"
            + b" /Contents %d 0 R >>" % (pid + 1)
        )
        bodies.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream")

    # Header; the comment with high bytes marks the file as binary.
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"

    xref_offset = len(out)
    out += b"xref\n0 %d\n" % (len(bodies) + 1)
    out += b"0000000000 65535 f \n"  # each entry is exactly 20 bytes
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += (
        b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\n" % (len(bodies) + 1)
        + b"startxref\n%d\n%%%%EOF\n" % xref_offset
    )
    return bytes(out)
