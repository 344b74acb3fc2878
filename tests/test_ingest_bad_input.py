"""Bad input: each is an IngestFailure with the right code and a reason a user understands, or decodes."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp.errors import ErrorCode, IngestError, IngestFailure
from nlp.ingest.decode import decode_text
from tests.support.ingest import assert_understandable, attempt, fail, make_docx, read
from tests.support.pdf_writer import build_pdf


def _docx() -> bytes:
    return make_docx(lambda d: d.add_paragraph("The plan covers every district. " * 20))


def _pdf() -> bytes:
    return build_pdf([["The plan covers every district and every school in the country."] * 10])


def _garbage(size: int = 3000) -> bytes:
    return random.Random(7).randbytes(size)


CASES = [
    ("empty.txt", b"", ErrorCode.EMPTY, "empty"),
    ("empty.pdf", b"", ErrorCode.EMPTY, "empty"),
    ("blank.txt", b"  \n\t\r\n \n", ErrorCode.EMPTY, "only whitespace"),
    ("blank.md", "\u00a0\n \n".encode(), ErrorCode.EMPTY, "only whitespace"),
    ("garbage.txt", _garbage(), ErrorCode.BINARY, "binary data"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _garbage(500), ErrorCode.BINARY, "binary data"),
    ("controls.txt", bytes(range(1, 32)) * 20, ErrorCode.BINARY, "binary data"),
    ("truncated.docx", _docx()[:1500], ErrorCode.TRUNCATED, "damaged or truncated"),
    ("truncated.pdf", _pdf()[:900], ErrorCode.TRUNCATED, "damaged or truncated"),
    ("bad-time.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:xx.000\nHello\n", ErrorCode.MALFORMED, "line 3"),
    ("bad-time.srt", b"1\n00:00:01,000 --> 00:99:02,000\nHello\n", ErrorCode.MALFORMED, "line 2"),
    ("shape.json", b'{"meeting": "x"}', ErrorCode.MALFORMED, "wrong shape"),
    ("number.json", b"3.5", ErrorCode.MALFORMED, "wrong shape"),
    ("syntax.json", b'[{"speaker": "A"', ErrorCode.MALFORMED, "invalid JSON"),
    (
        "legacy.doc",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
        ErrorCode.UNSUPPORTED,
        "save it as .docx",
    ),
    ("legacy.txt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ErrorCode.UNSUPPORTED, ".doc"),
    ("sheet.xyz", b"a,b\n1,2\n", ErrorCode.UNSUPPORTED, "unsupported format .xyz"),
    ("README", b"Some words.", ErrorCode.UNSUPPORTED, "(no extension)"),
    ("feed.xml", b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', ErrorCode.UNSUPPORTED, "feed"),
    ("scan.pdf", build_pdf([[""]]), ErrorCode.NO_TEXT_LAYER, "no text layer"),
]


@pytest.mark.parametrize(("name", "data", "code", "needle"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_an_ingest_failure_with_a_reason(
    name: str, data: bytes, code: ErrorCode, needle: str
) -> None:
    failure = fail(data, name)
    assert failure.code is code
    assert needle in failure.reason
    # A sentence for a person: no traceback, no exception class names, not a wall of text.
    assert failure.reason[0].islower() or failure.reason.startswith(("line", "JSON"))
    assert "Traceback" not in failure.reason
    assert "Error:" not in failure.reason
    assert len(failure.reason) < 400
    record = IngestError(path=name, code=failure.code, reason=failure.reason)
    assert str(record) == f"{name}: {failure.reason}"


def test_unknown_extension_lists_the_supported_ones() -> None:
    reason = fail(b"hello", "notes.xyz").reason
    for ext in (".txt", ".md", ".html", ".vtt", ".srt", ".json", ".docx", ".pdf"):
        assert ext in reason


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_latin1_text_that_is_not_utf8_decodes(encoding: str) -> None:
    doc = read("Le café du ministère est ouvert.".encode(encoding), "note.txt")
    assert doc.text == "Le café du ministère est ouvert."
    assert doc.metadata["encoding"] == "cp1252"


def test_windows_1252_curly_quotes_decode() -> None:
    doc = read("“Every child,” she said – twice.".encode("cp1252"), "note.txt")
    assert doc.text == "“Every child,” she said – twice."


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-8-sig", "utf-32"])
def test_byte_order_marks_decode(codec: str) -> None:
    data = "Ana: Olá.\nBen: Café?\nAna: Sí.\n".encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    doc = read(data, "m.txt")
    assert doc.kind == "transcript"
    assert [doc.segment_text(s) for s in doc.segments] == ["Olá.", "Café?", "Sí."]


def test_utf16_without_bom_decodes() -> None:
    assert read("Plain statement text.".encode("utf-16-le"), "s.txt").text == "Plain statement text."


def test_utf16_caption_file_is_sniffed_and_read() -> None:
    data = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana>Hola.\n".encode("utf-16")
    doc = read(data, "c.vtt")
    assert (doc.format, doc.speakers) == ("vtt", ["Ana"])


def test_wrong_shape_json_names_the_shapes_it_expects() -> None:
    reason = fail(json.dumps({"data": {"rows": []}}), "x.json").reason
    for expected in ("segments", "utterances", "speaker"):
        assert expected in reason


def test_garbage_under_every_extension_is_only_ever_an_ingest_failure() -> None:
    rng = random.Random(11)
    for ext in (".txt", ".md", ".html", ".vtt", ".srt", ".json", ".docx", ".pdf"):
        for size in (1, 7, 300, 5000):
            outcome = attempt(rng.randbytes(size), f"x{ext}")
            if isinstance(outcome, IngestFailure):
                assert_understandable(outcome)


@given(
    lines=st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30),
        min_size=2,
        max_size=12,
    ),
    damaged=st.integers(0, 11),
)
def test_one_bad_byte_never_turns_a_utf8_file_into_mojibake(lines: list[str], damaged: int) -> None:
    """The lines that are UTF-8 read as UTF-8; only the damaged one is read another way, and the
    document's encoding says which line that was."""
    lines = ["Speaker notes by José García", *lines]
    damaged = 1 + damaged % len(lines[1:])
    raw = [line.encode("utf-8") for line in lines]
    raw[damaged] = b"price \x96 cost"  # a Windows-1252 dash: never valid UTF-8
    text, encoding = decode_text(b"\n".join(raw))
    decoded = text.split("\n")
    assert len(decoded) == len(lines)
    for n, line in enumerate(lines):
        if n != damaged:
            assert decoded[n] == line
    assert decoded[damaged] == "price – cost"
    assert encoding.startswith("utf-8") and f"line {damaged + 1} " in encoding


def test_a_transcript_with_one_bad_byte_keeps_its_speakers() -> None:
    data = "José García: We fund the schools.\nAna Núñez: And the teachers.\n".encode() + b"Jos\xe9: ok\n"
    document = read(data, "meeting.txt")
    assert {"José García", "Ana Núñez"} <= set(document.speakers)
    assert "line 3" in document.metadata["encoding"]


def test_a_large_input_that_reads_too_slowly_is_stopped_and_the_others_go_on(tmp_path) -> None:
    """Large files are read in a process of their own, killed at the time limit (here far below what
    starting one takes): the slow file is an error naming the limit, the small one is read."""
    from flows.inputs.ingestion import SEPARATE_PROCESS_BYTES, ingest_sources
    from flows.settings import Settings

    big = tmp_path / "big.txt"
    big.write_text("Teachers need training in every district.\n\n" * (SEPARATE_PROCESS_BYTES // 4))
    (tmp_path / "small.txt").write_text("Schools need funds.\n\nThe ministry will pay.\n")
    slow = Settings().model_copy(update={"out_dir": tmp_path / "out", "max_read_seconds": 0.01})
    result = ingest_sources([str(tmp_path)], settings=slow)
    assert [d.source for d in result.documents] == [str(tmp_path / "small.txt")]
    (error,) = result.errors
    assert error.path == str(big) and error.code == ErrorCode.TOO_SLOW and "0.01 s" in error.reason
    patient = Settings().model_copy(update={"out_dir": tmp_path / "out"})
    again = ingest_sources([str(big)], settings=patient)
    assert len(again.documents) == 1 and again.documents[0].text.startswith("Teachers need training")
