"""The Document model: frozen, content-addressed, offsets validated, JSON round trip, picklable errors."""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle

import pytest
from pydantic import ValidationError

from nlp.document import Document, Segment, text_id
from nlp.errors import ErrorCode, IngestError, IngestFailure
from tests.support.ingest import fail, read

TEXT = "Opening remarks.\n\nSecond turn."


def _doc(segments: list[Segment], text: str = TEXT, **kw: object) -> Document:
    fields: dict[str, object] = {
        "id": text_id(text),
        "source": "x.txt",
        "format": "txt",
        "kind": "statement",
        "text": text,
        "segments": tuple(segments),
    }
    fields.update(kw)
    return Document.model_validate(fields)


def test_a_valid_document_builds() -> None:
    doc = _doc([Segment(start=0, end=16), Segment(start=18, end=30)])
    assert [doc.segment_text(s) for s in doc.segments] == ["Opening remarks.", "Second turn."]


def test_document_and_segment_are_frozen() -> None:
    doc = read("Ministers met in Paris.\n", "a.txt")
    with pytest.raises(ValidationError):
        doc.title = "changed"
    with pytest.raises(ValidationError):
        doc.segments[0].start = 1


def test_id_is_the_sha256_of_the_normalized_text() -> None:
    doc = read("Ministers\u00a0met in  Paris.\n", "a.txt")
    assert doc.text == "Ministers met in Paris."
    assert doc.id == hashlib.sha256(b"Ministers met in Paris.").hexdigest()


def test_same_content_from_two_sources_is_one_document() -> None:
    first = read("The plan starts in May.\n\nIt costs 3 million.\n", "inbox/a.txt")
    second = read("The plan starts in May.\r\n\r\nIt costs 3 million.", "archive/2025/b.md")
    assert first.source != second.source
    assert first.id == second.id


def test_different_content_has_a_different_id() -> None:
    assert read("The plan starts in May.", "a.txt").id != read("The plan starts in June.", "a.txt").id


def test_validator_rejects_an_id_that_does_not_hash_the_text() -> None:
    with pytest.raises(ValidationError, match="sha256"):
        _doc([Segment(start=0, end=16)], id="0" * 64)


@pytest.mark.parametrize(
    ("spans", "why"),
    [
        ([(0, 31)], "past the end of the text"),
        ([(18, 30), (0, 16)], "out of order"),
        ([(0, 16), (10, 30)], "overlapping"),
        ([(5, 5)], "empty"),
    ],
)
def test_validator_rejects_bad_segment_offsets(spans: list[tuple[int, int]], why: str) -> None:
    with pytest.raises(ValidationError, match="out of order or outside the text"):
        _doc([Segment(start=a, end=b) for a, b in spans])


def test_segment_rejects_negative_offsets_and_times_that_run_backwards() -> None:
    with pytest.raises(ValidationError):
        Segment(start=-1, end=3)
    with pytest.raises(ValidationError):
        Segment(start=0, end=3, start_s=-2.0)
    with pytest.raises(ValidationError):
        Segment(start=0, end=3, start_s=float("nan"))
    with pytest.raises(ValidationError, match="before it starts"):
        Segment(start=0, end=3, start_s=10.0, end_s=4.0)


def test_speakers_are_distinct_in_order_of_first_appearance() -> None:
    doc = read("Bea: One.\nAl: Two.\nBea: Three.\nCy: Four.\n", "m.txt")
    assert doc.speakers == ["Bea", "Al", "Cy"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("m.vtt", "WEBVTT - Board call, 3 March 2025\n\n00:00:01.000 --> 00:00:04.500\n<v Ana>Welcome.\n"),
        ("s.md", "---\ntitle: Plan\ndate: 2025-06-20\nauthor: Ministry\n---\nThe plan “works”.\n\n- item\n"),
    ],
)
def test_document_json_round_trips_through_read_document(name: str, content: str) -> None:
    original = read(content, name)
    copy = read(original.model_dump_json(indent=2), "copy.json")
    assert copy == original
    assert copy.source == name  # the document keeps where it came from


def test_tampered_document_json_is_rejected_with_a_reason() -> None:
    original = read("The plan starts in May.", "a.txt")
    tampered = original.model_dump_json().replace("starts in May", "starts in June")
    failure = fail(tampered, "copy.json")
    assert failure.code is ErrorCode.MALFORMED
    assert "Takeaways document" in failure.reason
    assert "sha256" in failure.reason


def test_date_and_times_survive_the_round_trip() -> None:
    original = read(
        '{"date": "2025-03-03", "segments": [{"speaker": "A", "text": "Hi.", "start": 1.25, "end": 2}]}',
        "m.json",
    )
    assert original.date == dt.date(2025, 3, 3)
    copy = read(original.model_dump_json(), "again.json")
    assert copy.segments[0].start_s == 1.25
    assert copy.date == original.date


def test_ingest_failure_keeps_its_code_across_pickling() -> None:
    failure = IngestFailure(ErrorCode.TRUNCATED, "the PDF is damaged or truncated")
    copy = pickle.loads(pickle.dumps(failure))
    assert isinstance(copy, IngestFailure)
    assert (copy.code, copy.reason, str(copy)) == (ErrorCode.TRUNCATED, failure.reason, failure.reason)


def test_ingest_error_record_reads_as_path_and_reason() -> None:
    error = IngestError(path="inbox/x.pdf", code=ErrorCode.NO_TEXT_LAYER, reason="the PDF has no text layer")
    assert str(error) == "inbox/x.pdf: the PDF has no text layer"
    assert IngestError.model_validate_json(error.model_dump_json()) == error
