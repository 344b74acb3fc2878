"""Word ``.docx``: paragraphs and tables in body order, headings and list items marked, core properties."""

from __future__ import annotations

import io
import zipfile
import zlib

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError

from nlp.document import Document, SegmentKind
from nlp.errors import ErrorCode, IngestFailure
from nlp.ingest.assemble import assemble
from nlp.ingest.dates import find_date
from nlp.normalize import Block


def read_docx(data: bytes, *, source: str) -> Document:
    if not data:
        raise IngestFailure(ErrorCode.EMPTY, "the file is empty")
    try:
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


def _blocks(document: DocxDocument) -> list[Block]:
    blocks: list[Block] = []
    for index, item in enumerate(document.iter_inner_content()):
        if isinstance(item, Paragraph):
            if item.text.strip():
                blocks.append(Block(text=item.text, kind=_paragraph_kind(item), source_index=index))
        elif isinstance(item, Table):
            blocks.extend(Block(text=row, source_index=index) for row in _table_rows(item))
    return blocks


def _paragraph_kind(paragraph: Paragraph) -> SegmentKind:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if style.startswith(("Heading", "Title", "Subtitle")):
        return "heading"
    if style.startswith("List") or (paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None):
        return "item"
    return "paragraph"


def _table_rows(table: Table) -> list[str]:
    """Each row becomes one paragraph, its distinct cell texts joined by ' | ' (merged cells repeat)."""
    rows = []
    for row in table.rows:
        cells = list(dict.fromkeys(cell.text.strip() for cell in row.cells if cell.text.strip()))
        if cells:
            rows.append(" | ".join(cells))
    return rows
