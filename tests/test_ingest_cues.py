"""WebVTT and SubRip captions: speakers, NOTE blocks, rolling captions, times, malformed timings."""

from __future__ import annotations

import pytest

from nlp.errors import ErrorCode
from tests.support.ingest import assert_well_formed, fail, read, texts, turns

VTT = """WEBVTT - Steering call, 3 March 2025

NOTE
Captions checked by the secretariat.
Speaker: this line is a comment, not a cue.

1
00:00:01.000 --> 00:00:04.000
<v Amina Yusuf>Good morning, everyone.</v>

2
00:00:04.000 --> 00:00:06.500 align:start position:10%
<v.loud Tomás Herrera>Morning! The fund
stands at &lt;18&gt; million &amp; rising.</v>

00:00:07.000 --> 00:00:09.000
Kwame Asante: I have a concern.

00:00:09.200 --> 00:00:11.000
It is about results-based payments.

NOTE another comment

00:00:11.500 --> 00:00:13.000
<v Amina Yusuf><i>Noted</i>, thank you.</v>
"""


def test_vtt_voice_tags_prefixes_notes_and_times() -> None:
    doc = read(VTT, "call.vtt")
    assert (doc.kind, doc.format) == ("transcript", "vtt")
    assert doc.title == "Steering call, 3 March 2025"
    assert str(doc.date) == "2025-03-03"
    assert turns(doc) == [
        ("Amina Yusuf", "Good morning, everyone."),
        ("Tomás Herrera", "Morning! The fund stands at <18> million & rising."),
        ("Kwame Asante", "I have a concern. It is about results-based payments."),
        ("Amina Yusuf", "Noted, thank you."),
    ]
    assert [(s.start_s, s.end_s) for s in doc.segments] == [(1.0, 4.0), (4.0, 6.5), (7.0, 11.0), (11.5, 13.0)]
    assert [s.source_index for s in doc.segments] == [0, 1, 2, 4]
    assert "comment" not in doc.text
    assert "secretariat" not in doc.text
    assert doc.metadata["cues"] == "5"
    assert_well_formed(doc)


def test_vtt_rolling_caption_repeats_are_removed() -> None:
    raw = (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:03.000\n<v Ana>We have five items\nand a hard stop at eleven.\n\n"
        "00:00:03.000 --> 00:00:05.000\n<v Ana>and a hard stop at eleven.\nFirst, the fund.\n\n"
        "00:00:05.000 --> 00:00:06.000\n<v Ana>First, the fund.\n"
    )
    doc = read(raw, "live.vtt")
    assert texts(doc) == ["We have five items and a hard stop at eleven. First, the fund."]
    assert (doc.segments[0].start_s, doc.segments[0].end_s) == (1.0, 6.0)  # the repeat-only cue counts


def test_vtt_the_same_words_from_another_speaker_are_not_a_repeat() -> None:
    raw = (
        "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana>Thank you.\n\n00:02.000 --> 00:03.000\n<v Ben>Thank you.\n"
    )
    assert turns(read(raw, "a.vtt")) == [("Ana", "Thank you."), ("Ben", "Thank you.")]


def test_vtt_header_lines_before_the_first_blank_line_are_skipped() -> None:
    raw = (
        "WEBVTT\nKind: captions\nLanguage: en\n\n00:01.000 --> 00:02.000\nHello <00:00:01.500><c>world</c>\n"
    )
    doc = read(raw, "yt.vtt")
    assert texts(doc) == ["Hello world"]
    assert "captions" not in doc.text


def test_vtt_dialogue_cue_with_two_speakers_is_split() -> None:
    raw = (
        "WEBVTT\n\n00:01.000 --> 00:03.000\n- Ana: Are we agreed?\n- Ben: We are.\n\n"
        "00:03.000 --> 00:04.000\nGood.\n"
    )
    doc = read(raw, "d.vtt")
    assert turns(doc) == [("Ana", "Are we agreed?"), ("Ben", "We are. Good.")]


def test_vtt_two_voice_tags_in_one_cue_are_two_turns() -> None:
    doc = read("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana>One.</v>\n<v Ben>Two.</v>\n", "v.vtt")
    assert turns(doc) == [("Ana", "One."), ("Ben", "Two.")]


def test_vtt_a_label_that_is_not_a_name_stays_in_the_text() -> None:
    raw = "WEBVTT\n\n00:01.000 --> 00:02.000\nNote: the call is recorded.\n"
    doc = read(raw, "n.vtt")
    assert turns(doc) == [(None, "Note: the call is recorded.")]


def test_vtt_unicode_speaker_prefix() -> None:
    doc = read("WEBVTT\n\n00:01.000 --> 00:02.000\nÉmile Zola: Bonjour.\n", "z.vtt")
    assert turns(doc) == [("Émile Zola", "Bonjour.")]


SRT = """1
00:00:02,000 --> 00:00:08,400
Chair: Good afternoon and welcome
to the committee.

2
00:00:08,600 --> 00:00:15,200
Our first witness is Dr Morgan.

3
00:00:15,900 --> 00:00:23,100
Dr Rhys Morgan: Thank you, Chair.

4
00:00:23,300 --> 00:00:31,000
Recruitment reached 62 per cent of target.

5
00:00:40,200 --> 00:00:46,600
Chair: Is this about pay?
"""


def test_srt_prefix_speakers_and_continuation_cues_merged() -> None:
    doc = read(SRT, "committee.srt")
    assert (doc.kind, doc.format) == ("transcript", "srt")
    assert turns(doc) == [
        ("Chair", "Good afternoon and welcome to the committee. Our first witness is Dr Morgan."),
        ("Dr Rhys Morgan", "Thank you, Chair. Recruitment reached 62 per cent of target."),
        ("Chair", "Is this about pay?"),
    ]
    assert [(s.start_s, s.end_s) for s in doc.segments] == [(2.0, 15.2), (15.9, 31.0), (40.2, 46.6)]
    assert [s.source_index for s in doc.segments] == [0, 2, 4]
    assert doc.metadata["cues"] == "5"
    assert_well_formed(doc)


def test_srt_unattributed_cues_after_a_pause_start_a_new_turn() -> None:
    raw = (
        "1\n00:00:01,000 --> 00:00:02,000\nFirst words.\n\n"
        "2\n00:00:02,100 --> 00:00:03,000\nstill the same turn.\n\n"
        "3\n00:00:09,000 --> 00:00:10,000\nAfter a long pause.\n"
    )
    doc = read(raw, "a.srt")
    assert texts(doc) == ["First words. still the same turn.", "After a long pause."]


def test_srt_is_recognised_by_content_whatever_the_name() -> None:
    doc = read(SRT, "captions.txt")
    assert doc.format == "srt"


@pytest.mark.parametrize(
    ("raw", "name", "line"),
    [
        ("WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nHello\n", "a.vtt", 3),
        ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n\n00:00:03.000 --> 00:00:61.000\nX\n", "a.vtt", 6),
        ("WEBVTT\n\nNOTE x\n\n00:00:01.000 -> 00:00:02.000\nHello\n", "a.vtt", 5),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nBackwards\n", "a.vtt", 3),
        ("1\n00:00:01,000 --> 00:00:0a,000\nHello\n", "a.srt", 2),
        ("1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:0,000 --> 00:00:03,000\nX\n", "a.srt", 6),
        ("1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\nno timing here\n", "a.srt", 5),
    ],
    ids=["vtt-letter", "vtt-61s", "vtt-arrow", "vtt-backwards", "srt-letter", "srt-short", "srt-missing"],
)
def test_malformed_timings_are_errors_naming_the_line(raw: str, name: str, line: int) -> None:
    failure = fail(raw, name)
    assert failure.code is ErrorCode.MALFORMED
    assert failure.reason.startswith(f"line {line}:")


def test_vtt_without_any_cue_text_has_no_text() -> None:
    failure = fail("WEBVTT\n\nNOTE only a note\n", "empty.vtt")
    assert failure.code is ErrorCode.NO_TEXT
    assert "no cues" in failure.reason


def test_vtt_named_file_without_the_signature_is_malformed() -> None:
    failure = fail("00:00:01.000 --> 00:00:02.000\nHello\n", "a.vtt")
    assert failure.code is ErrorCode.MALFORMED
    assert "WEBVTT" in failure.reason


def test_text_that_merely_starts_with_the_word_webvtt_is_not_a_caption_file() -> None:
    doc = read("WEBVTT is the caption format we use.\n", "notes.txt")
    assert (doc.format, doc.kind) == ("txt", "statement")
