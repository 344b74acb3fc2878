"""Word .docx and PDF: body text in order, tables, pages, de-hyphenation, and damaged or scanned files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import docx.table
import docx.text.paragraph
import pytest
from pypdf import PdfReader, PdfWriter

from nlp.errors import ErrorCode, IngestFailure
from nlp.ingest import docx as docx_reader
from tests.support.ingest import (
    assert_understandable,
    assert_well_formed,
    attempt,
    fail,
    make_docx,
    read,
    texts,
)
from tests.support.pdf_writer import build_pdf

# --- .docx --------------------------------------------------------------------------------------------


def _speech(document: Any) -> None:
    document.core_properties.title = ""
    document.core_properties.created = dt.datetime(2025, 9, 23, 10, 0)
    document.add_heading("Skills for a Green Transition", level=1)
    document.add_paragraph("Keynote speech by the Minister.")
    document.add_heading("A changing labour market", level=2)
    document.add_paragraph("Green jobs are growing fast.", style="List Bullet")
    document.add_paragraph("Skills are lagging behind.", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Sector", "New jobs"
    table.cell(1, 0).text, table.cell(1, 1).text = "Solar", "12,000"
    document.add_paragraph("Thank you.")


def test_docx_headings_paragraphs_lists_and_tables_in_body_order() -> None:
    doc = read(make_docx(_speech), "speech.docx")
    assert (doc.kind, doc.format) == ("statement", "docx")
    assert [(s.kind, doc.segment_text(s)) for s in doc.segments] == [
        ("heading", "Skills for a Green Transition"),
        ("paragraph", "Keynote speech by the Minister."),
        ("heading", "A changing labour market"),
        ("item", "Green jobs are growing fast."),
        ("item", "Skills are lagging behind."),
        ("paragraph", "Sector | New jobs"),
        ("paragraph", "Solar | 12,000"),
        ("paragraph", "Thank you."),
    ]
    assert doc.title == "Skills for a Green Transition"  # no core title: the first heading
    assert doc.date == dt.date(2025, 9, 23)
    assert_well_formed(doc)


def test_docx_styles_and_tables_are_read_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader never uses python-docx's per-paragraph style lookup (a scan of every style) nor its
    per-row cell grid (the whole table rebuilt each row): a long document reads in linear time."""

    def forbidden(self: object) -> None:
        raise AssertionError("a quadratic lookup was used")

    data = make_docx(_speech)
    monkeypatch.setattr(docx.text.paragraph.Paragraph, "style", property(forbidden))
    monkeypatch.setattr(docx.table._Row, "cells", property(forbidden))
    doc = read(data, "speech.docx")
    assert [s.kind for s in doc.segments][:4] == ["heading", "paragraph", "heading", "item"]
    assert "Solar | 12,000" in doc.text


def test_a_docx_that_unpacks_to_too_much_is_refused_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def long(document: Any) -> None:
        for i in range(3000):
            document.add_paragraph(f"Paragraph {i} repeats the same words about teachers and schools.")

    data = make_docx(long)
    monkeypatch.setattr(docx_reader, "MAX_UNPACKED_BYTES", 200_000)
    assert len(data) < 200_000
    failure = fail(data, "long.docx")
    assert failure.code == ErrorCode.TOO_LARGE and "unpacks to" in failure.reason


def test_docx_core_title_and_author() -> None:
    def build(document: Any) -> None:
        document.core_properties.title = "Official title"
        document.core_properties.author = "Ministry of Education"
        document.add_paragraph("Body text.")

    doc = read(make_docx(build), "a.docx")
    assert doc.title == "Official title"
    assert doc.metadata["author"] == "Ministry of Education"


def test_docx_is_recognised_by_content_whatever_the_name() -> None:
    assert read(make_docx(_speech), "upload.bin").format == "docx"


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_truncated_docx_is_reported_as_truncated(fraction: float) -> None:
    data = make_docx(_speech)
    failure = fail(data[: int(len(data) * fraction)], "speech.docx")
    assert failure.code is ErrorCode.TRUNCATED
    assert "truncated" in failure.reason


def test_docx_with_a_corrupted_member_is_reported_as_damaged() -> None:
    data = bytearray(make_docx(lambda d: d.add_paragraph("Budget text. " * 400)))
    at = data.index(b"word/document.xml") + 60  # inside the compressed body of the main part
    data[at : at + 40] = bytes(range(40))
    failure = fail(bytes(data), "speech.docx")
    assert failure.code is ErrorCode.TRUNCATED
    assert "damaged" in failure.reason


def test_a_zip_that_is_not_a_word_document_is_unsupported() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    failure = fail(buffer.getvalue(), "book.docx")
    assert failure.code is ErrorCode.UNSUPPORTED
    assert "not a Word .docx" in failure.reason


def test_docx_without_text_has_no_text() -> None:
    assert fail(make_docx(lambda d: None), "blank.docx").code is ErrorCode.NO_TEXT


# --- .pdf ---------------------------------------------------------------------------------------------

BRIEF = [
    [
        "Paying for Teachers",
        "",
        "Key messages",
        "- The country needs 21,000 additional primary teachers by 2030 to",
        "  reach a ratio of 40 pupils per teacher.",
        "- The wage bill already takes 71% of the education budget.",
        "",
        "What is needed is a trans-",
        "formation of how teachers are recruited, deployed and supported. Our",
        "analysis of payroll data found 2,300 teachers assigned to schools where",
        "they no longer work.",
        "",
        "1",
    ],
    [
        "Options",
        "",
        "Clean the payroll and move surplus teachers from urban to rural schools",
        "using a transparent formula and a rural hardship allowance.",
        "",
        "Page 2 of 2",
    ],
]


def test_pdf_pages_in_order_with_paragraphs_items_headings_and_dehyphenation() -> None:
    doc = read(build_pdf(BRIEF, title="Policy brief No. 7"), "brief.pdf")
    assert (doc.kind, doc.format, doc.title) == ("statement", "pdf", "Policy brief No. 7")
    assert doc.metadata["pages"] == "2"
    assert [(s.kind, doc.segment_text(s)) for s in doc.segments] == [
        ("heading", "Paying for Teachers"),
        ("heading", "Key messages"),
        (
            "item",
            "The country needs 21,000 additional primary teachers by 2030 to reach a ratio of 40 pupils "
            "per teacher.",
        ),
        ("item", "The wage bill already takes 71% of the education budget."),
        (
            "paragraph",
            "What is needed is a transformation of how teachers are recruited, deployed and supported. "
            "Our analysis of payroll data found 2,300 teachers assigned to schools where they no longer "
            "work.",
        ),
        ("heading", "Options"),
        (
            "paragraph",
            "Clean the payroll and move surplus teachers from urban to rural schools "
            "using a transparent formula and a rural hardship allowance.",
        ),
    ]
    assert "Page 2" not in doc.text
    assert_well_formed(doc)


def test_pdf_heading_right_after_a_sentence_is_not_joined_to_the_next_sentence() -> None:
    review = "The ministry reviewed the programme in every district and published all results in March."
    hiring = "The ministry will hire 400 teachers before the new school year begins in the autumn of 2026."
    doc = read(build_pdf([[review, "Next steps", hiring]]), "steps.pdf")
    assert [(s.kind, doc.segment_text(s)) for s in doc.segments] == [
        ("paragraph", review),
        ("heading", "Next steps"),
        ("paragraph", hiring),
    ]


def test_pdf_paragraph_and_hyphenated_word_continue_across_a_page_break() -> None:
    pages = [
        ["A paragraph that continues onto the next page without a break and the trans-"],
        ["formation ends here on page two."],
    ]
    doc = read(build_pdf(pages), "p.pdf")
    assert texts(doc) == [
        "A paragraph that continues onto the next page without a break and the transformation ends here "
        "on page two."
    ]


def test_pdf_accented_text_and_curly_quotes() -> None:
    doc = read(build_pdf([["“Renée’s café,” said the Minister."]]), "q.pdf")
    assert doc.text == "“Renée’s café,” said the Minister."


def test_a_short_pdf_is_still_text() -> None:
    assert read(build_pdf([["Thank you."]]), "short.pdf").text == "Thank you."


def test_pdf_without_text_layer_blank_pages() -> None:
    failure = fail(build_pdf([["", "", ""], [""]]), "scan.pdf")
    assert failure.code is ErrorCode.NO_TEXT_LAYER
    assert "no text layer" in failure.reason
    assert "OCR" in failure.reason


def _image_only_pdf(stamp: str = "") -> bytes:
    """A one-page PDF that draws a grey image (a 'scan'), optionally with a few characters of text."""
    text = f"BT /F1 9 Tf 20 20 Td ({stamp}) Tj ET\n".encode() if stamp else b""
    content = b"q 612 0 0 792 0 0 cm /Im1 Do Q\n" + text
    pixels = bytes([0x80]) * 16
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R"
        b" /Resources << /XObject << /Im1 4 0 R >> /Font << /F1 6 0 R >> >> >>",
        b"<< /Type /XObject /Subtype /Image /Width 4 /Height 4 /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Length 16 >>\nstream\n" + pixels + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.mark.parametrize("stamp", ["", "p. 1"])
def test_pdf_without_text_layer_scanned_image(stamp: str) -> None:
    failure = fail(_image_only_pdf(stamp), "scan.pdf")
    assert failure.code is ErrorCode.NO_TEXT_LAYER


def test_truncated_pdf_is_an_ingest_failure_at_any_cut() -> None:
    data = build_pdf(BRIEF, title="Brief")
    assert fail(data[: len(data) // 2], "brief.pdf").code is ErrorCode.TRUNCATED
    for cut in range(20, len(data), max(1, len(data) // 40)):
        outcome = attempt(data[:cut], "brief.pdf")
        if isinstance(outcome, IngestFailure):
            assert outcome.code in {ErrorCode.TRUNCATED, ErrorCode.NO_TEXT_LAYER}
            assert_understandable(outcome)


def _encrypted(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(build_pdf([["The council approved the plan."]]))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_encrypted_only_against_editing_reads() -> None:
    assert read(_encrypted(""), "locked.pdf").text == "The council approved the plan."


def test_password_protected_pdf_is_unreadable_with_a_reason() -> None:
    failure = fail(_encrypted("secret"), "locked.pdf")
    assert failure.code is ErrorCode.UNREADABLE
    assert "password" in failure.reason
