"""JSON transcripts: a list of turns, meeting-tool export shapes, string times, and wrong shapes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from nlp.errors import ErrorCode
from tests.support.ingest import assert_well_formed, fail, read, turns


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_a_list_of_turns() -> None:
    raw = _json(
        [
            {"speaker": "Sofia", "text": "Welcome to the webinar.", "start": 3.2, "end": 18.9},
            {"speaker": "Joseph", "content": "Thank you,\nSofia.", "start": 19, "end": 26.1},
            {"speaker_name": "Mei Lin", "transcript": "Devices are the easy part."},
        ]
    )
    doc = read(raw, "webinar.json")
    assert (doc.kind, doc.format) == ("transcript", "json")
    assert turns(doc) == [
        ("Sofia", "Welcome to the webinar."),
        ("Joseph", "Thank you, Sofia."),
        ("Mei Lin", "Devices are the easy part."),
    ]
    assert [(s.start_s, s.end_s) for s in doc.segments] == [(3.2, 18.9), (19.0, 26.1), (None, None)]
    assert doc.metadata["turns"] == "3"
    assert_well_formed(doc)


@pytest.mark.parametrize(
    "value",
    [
        {"segments": [{"speaker": "A", "text": "One."}, {"speaker": "B", "text": "Two."}]},
        {"utterances": [{"speaker": "A", "transcript": "One."}, {"speaker": "B", "utterance": "Two."}]},
        {
            "results": [
                {"speaker_label": "A", "alternatives": [{"transcript": "One.", "confidence": 0.9}]},
                {"speaker_label": "B", "alternatives": [{"transcript": "Two."}]},
            ]
        },
        {"meeting_transcripts": [{"speaker": "A", "content": "One."}, {"speaker": "B", "content": "Two."}]},
        {"turns": [{"participant": "A", "words": [{"word": "One."}]}, {"name": "B", "text": "Two."}]},
    ],
    ids=["segments", "utterances", "results", "meeting_transcripts", "turns-and-words"],
)
def test_top_level_export_shapes(value: dict[str, Any]) -> None:
    assert turns(read(_json(value), "export.json")) == [("A", "One."), ("B", "Two.")]


def test_string_timestamps() -> None:
    raw = _json(
        [
            {"speaker": "A", "text": "One.", "start": "00:01:02.5", "end": "00:01:10"},
            {"speaker": "B", "text": "Two.", "start": "71.25", "end": "1:15"},
            {"speaker": "C", "text": "Three.", "start_time": "00:01:20,500"},
        ]
    )
    doc = read(raw, "t.json")
    assert [(s.start_s, s.end_s) for s in doc.segments] == [(62.5, 70.0), (71.25, 75.0), (80.5, None)]


def test_title_and_date_come_from_the_top_level_object() -> None:
    raw = _json(
        {"title": "Steering call", "date": "3 March 2025", "segments": [{"speaker": "A", "text": "Hi."}]}
    )
    doc = read(raw, "t.json")
    assert (doc.title, doc.date) == ("Steering call", dt.date(2025, 3, 3))


def test_empty_turns_are_skipped_but_keep_their_index() -> None:
    raw = _json(
        [
            {"speaker": "A", "text": "One."},
            {"speaker": "B", "text": "   "},
            {"speaker": "B", "text": None},
            {"speaker": "C", "text": "Three."},
        ]
    )
    doc = read(raw, "t.json")
    assert turns(doc) == [("A", "One."), ("C", "Three.")]
    assert [s.source_index for s in doc.segments] == [0, 3]
    assert doc.metadata["turns"] == "4"
    assert doc.speakers == ["A", "C"]


def test_a_turn_without_a_speaker_is_kept_unattributed() -> None:
    doc = read(_json([{"text": "Anonymous remark."}, {"speaker": 7, "text": "Numbered speaker."}]), "t.json")
    assert turns(doc) == [(None, "Anonymous remark."), ("7", "Numbered speaker.")]


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ("42", "wrong shape"),
        ('"just a string"', "wrong shape"),
        (_json({"meeting": {"id": 3}, "speakers": "A, B"}), "'segments'"),
        (_json(["first line", "second line"]), "turn 0 is a str, not an object"),
        (_json([{"speaker": "A"}]), "turn 0 has no text field"),
        (_json([{"speaker": "A", "text": "ok"}, {"speaker": "B", "body": "x"}]), "turn 1 has no text field"),
        (_json([{"speaker": "A", "text": 5}]), "'text' is a int, not a string"),
        ('[{"speaker": "A", "text": "x",}]', "invalid JSON at line 1, column"),
    ],
    ids=[
        "number",
        "string",
        "dict-without-list",
        "list-of-strings",
        "no-text",
        "second-turn",
        "text-int",
        "syntax",
    ],
)
def test_wrong_shapes_are_malformed_with_a_message(raw: str, needle: str) -> None:
    failure = fail(raw, "bad.json")
    assert failure.code is ErrorCode.MALFORMED
    assert needle in failure.reason


@pytest.mark.parametrize(
    ("turn", "needle"),
    [
        ({"speaker": "A", "text": "x", "start": -1}, "'start' is not a time"),
        ({"speaker": "A", "text": "x", "start": "soon"}, "'start' is not a time"),
        ({"speaker": "A", "text": "x", "start": True}, "'start' is not a time"),
        ({"speaker": "A", "text": "x", "end": "1e999"}, "'end' is not a time"),
        ({"speaker": "A", "text": "x", "start": 5, "end": 2}, "ends (2.0s) before it starts (5.0s)"),
    ],
)
def test_bad_times_are_malformed(turn: dict[str, Any], needle: str) -> None:
    failure = fail(_json([turn]), "t.json")
    assert failure.code is ErrorCode.MALFORMED
    assert needle in failure.reason
    assert "turn 0" in failure.reason


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e999"])
def test_non_finite_times_are_malformed_not_stored(number: str) -> None:
    failure = fail(f'[{{"speaker": "A", "text": "x", "start": {number}}}]', "t.json")
    assert failure.code is ErrorCode.MALFORMED
    assert "'start' is not a time" in failure.reason


def test_a_transcript_whose_turns_are_all_empty_has_no_text() -> None:
    failure = fail(_json({"segments": [{"speaker": "A", "text": ""}]}), "t.json")
    assert failure.code is ErrorCode.NO_TEXT
    assert fail("[]", "t.json").code is ErrorCode.NO_TEXT


def test_bullets_inside_a_turn_stay_in_the_turn() -> None:
    doc = read(_json([{"speaker": "A", "text": "Two points:\n- one\n- two"}]), "t.json")
    assert turns(doc) == [("A", "Two points: - one - two")]
