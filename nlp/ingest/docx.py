"""Word ``.docx``: paragraphs and tables in body order, headings and list items marked, core properties."""

from __future__ import annotations

import io
import zipfile
import zlib

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError

from nlp.document import Document, SegmentKind
from nlp.errors import ErrorCode, IngestFailure
from nlp.ingest.assemble import assemble
from nlp.ingest.dates import find_date
from nlp.normalize import Block

MAX_UNPACKED_BYTES = 256 * 1024 * 1024
"""What a .docx may unpack to. A small file can hold a huge document (ZIP compresses repetitive XML a
thousandfold), and reading it would take the run's memory and time; past this it is refused."""


def read_docx(data: bytes, *, source: str) -> Document:
    if not data:
        raise IngestFailure(ErrorCode.EMPTY, "the file is empty")
    try:
        _check_unpacked_size(data)
        document = docx.Document(io.BytesIO(data))
        blocks = _blocks(document)
        props = document.core_properties
        title = props.title or next((b.text for b in blocks if b.kind == "heading"), None)
        metadata = {k: v for k, v in {"author": props.author, "subject": props.subject}.items() if v}
        created = props.created.date() if props.created else None
    except (zipfile.BadZipFile, PackageNotFoundError, EOFError) as exc:
        raise IngestFailure(
            ErrorCode.TRUNCATED, "the .docx file is damaged or truncated (it is not a complete ZIP archive)"
        ) from exc
    except (zlib.error, OSError, NotImplementedError) as exc:  # a member fails to decompress, bad CRC, ...
        raise IngestFailure(ErrorCode.TRUNCATED, f"the .docx file is damaged ({exc})") from exc
    except (KeyError, XMLSyntaxError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise IngestFailure(
            ErrorCode.MALFORMED, f"the .docx file is not a valid Word document ({exc})"
        ) from exc
    date = created or find_date(title)
    return assemble(blocks, source=source, format="docx", kind="statement", title=title, date=date,
                    metadata=metadata)  # fmt: skip


def _check_unpacked_size(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES:
        raise IngestFailure(
            ErrorCode.TOO_LARGE,
            f"the .docx unpacks to {unpacked / 2**20:,.0f} MB, "
            f"over the {MAX_UNPACKED_BYTES // 2**20} MB limit",
        )


def _blocks(document: DocxDocument) -> list[Block]:
    """One pass over the body: time linear in its size. Style names come from a table built once,
    because python-docx looks each paragraph's style up by scanning every style of the document."""
    styles = {s.style_id: s.name or "" for s in document.styles}
    blocks: list[Block] = []
    for index, item in enumerate(document.iter_inner_content()):
        if isinstance(item, Paragraph):
            if item.text.strip():
                blocks.append(Block(text=item.text, kind=_paragraph_kind(item, styles), source_index=index))
        elif isinstance(item, Table):
            blocks.extend(Block(text=row, source_index=index) for row in _table_rows(item))
    return blocks


def _paragraph_kind(paragraph: Paragraph, styles: dict[str, str]) -> SegmentKind:
    properties = paragraph._p.pPr
    style_id = properties.style if properties is not None else None
    style = styles.get(style_id or "", "")
    if style.startswith(("Heading", "Title", "Subtitle")):
        return "heading"
    if style.startswith("List") or (properties is not None and properties.numPr is not None):
        return "item"
    return "paragraph"


def _table_rows(table: Table) -> list[str]:
    """Each row becomes one paragraph, its distinct cell texts joined by ' | ' (merged cells repeat).
    Read from the row's own cells: python-docx's ``row.cells`` rebuilds the table's whole grid for every
    row, which is quadratic in a long table."""
    rows = []
    for tr in table._tbl.tr_lst:
        texts = ("".join(t.text or "" for t in tc.iter(qn("w:t"))).strip() for tc in tr.tc_lst)
        cells = list(dict.fromkeys(text for text in texts if text))
        if cells:
            rows.append(" | ".join(cells))
    return rows
