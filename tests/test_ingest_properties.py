"""Properties of ingestion over generated transcripts and statements (hypothesis).

Generated texts mix ASCII and accented letters, combining accents, curly quotes, non-breaking and thin
spaces, tabs, zero-width spaces and soft hyphens. They avoid only the characters that are markup in some
format (``:`` labels a speaker, ``<`` ``&`` are tags and entities, ``-`` ``*`` ``•`` ``#`` ``>`` ``_``
``[`` ``(`` are bullets or Markdown), so that what each segment must contain is known exactly.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.errors import IngestFailure
from nlp.ingest import read_document
from nlp.ingest.speakers import NOT_SPEAKERS
from nlp.normalize import is_boilerplate
from tests.support.ingest import assert_understandable, assert_well_formed, attempt, expected_text, turns

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_LOWER = "abcdefghijklmnopqrstuvwxyzéèäöüøåçñßł"
_UPPER = "ABCDEFGHIJKLMNOPRSTUVWZÉÅÖŁÇ"
_TOKENS = [*_LOWER, *"0123456789", "e\u0301", "a\u0308", "’", "'", "“", "”", "‘", "\u200b", "\u00ad"]
_SPACES = [" ", " ", " ", "  ", "\u00a0", "\t", " \u2009", "\u202f"]
_PUNCT = ["", "", ".", ",", "!", "?", ";"]

word = st.builds(
    lambda first, rest, punct: first + "".join(rest) + punct,
    st.sampled_from(_LOWER),
    st.lists(st.sampled_from(_TOKENS), max_size=7),
    st.sampled_from(_PUNCT),
)


@st.composite
def phrase(draw: st.DrawFn, min_words: int = 1, max_words: int = 12) -> str:
    """Words joined by assorted whitespace; a line of prose that no reader mistakes for markup."""
    words: list[str] = draw(st.lists(word, min_size=min_words, max_size=max_words))
    spaces = draw(st.lists(st.sampled_from(_SPACES), min_size=len(words), max_size=len(words)))
    return words[0] + "".join(space + w for space, w in zip(spaces[1:], words[1:], strict=True))


def _name_word(first: str, rest: str) -> str:
    return first + rest


name_word = st.builds(_name_word, st.sampled_from(_UPPER), st.text(alphabet=_LOWER, min_size=1, max_size=8))
speaker = (
    st.lists(name_word, min_size=1, max_size=3).map(" ".join).filter(lambda n: n.lower() not in NOT_SPEAKERS)
)


@dataclass(frozen=True)
class Turn:
    speaker: str
    lines: tuple[str, ...]  # the first line follows the label; the others are continuation lines

    @property
    def text(self) -> str:
        return expected_text(" ".join(self.lines))


@st.composite
def transcript(draw: st.DrawFn, *, continuation: bool) -> list[Turn]:
    """At least three turns by at least two distinct speakers; every first line is distinct (a repeated
    line in consecutive captions is a rolling-caption repeat, removed by design)."""
    names = draw(st.lists(speaker, min_size=2, max_size=4, unique=True))
    count = draw(st.integers(min_value=3, max_value=8))
    order = [
        names[0],
        names[1],
        *draw(st.lists(st.sampled_from(names), min_size=count - 2, max_size=count - 2)),
    ]
    result: list[Turn] = []
    for number, name in enumerate(order):
        extra = draw(st.lists(phrase(), max_size=1)) if continuation else []
        result.append(Turn(name, (f"{draw(phrase())} {number}", *extra)))
    return result


def _stamp(seconds: float, sep: str) -> str:
    whole = int(seconds)
    millis = round((seconds - whole) * 1000)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}{sep}{millis:03d}"


def _times(count: int) -> list[tuple[float, float]]:
    return [(1.0 + 5.0 * i, 4.5 + 5.0 * i) for i in range(count)]


def _merge_same_speaker(items: list[Turn]) -> list[tuple[str, str]]:
    """Consecutive cues by one speaker are one turn."""
    merged: list[tuple[str, str]] = []
    for item in items:
        if merged and merged[-1][0] == item.speaker:
            merged[-1] = (item.speaker, f"{merged[-1][1]} {item.text}")
        else:
            merged.append((item.speaker, item.text))
    return merged


def _check(data: bytes, name: str) -> None:
    """Shared properties: well-formed, and the same bytes always give the same document."""
    doc = read_document(data, source=name)
    assert_well_formed(doc)
    again = read_document(data, source=f"elsewhere/{name}")
    assert again.id == doc.id
    assert again.segments == doc.segments


# --- transcripts in every format ----------------------------------------------------------------------


@SETTINGS
@given(transcript(continuation=True), st.booleans())
def test_txt_transcript(items: list[Turn], stamped: bool) -> None:
    lines = []
    for i, item in enumerate(items):
        stamp = f"[{_stamp(60.0 * i, '.')[:8]}] " if stamped else ""
        lines.append(f"{stamp}{item.speaker}: {item.lines[0]}")
        lines.extend(item.lines[1:])
    data = "\n".join(lines).encode()
    doc = read_document(data, source="m.txt")
    assert doc.kind == "transcript"
    assert turns(doc) == [(t.speaker, t.text) for t in items]
    if stamped:
        assert [s.start_s for s in doc.segments] == [60.0 * i for i in range(len(items))]
    _check(data, "m.txt")


@SETTINGS
@given(transcript(continuation=False), st.lists(st.booleans(), min_size=8, max_size=8))
def test_vtt_transcript(items: list[Turn], voice_tags: list[bool]) -> None:
    blocks = ["WEBVTT", ""]
    for (start, end), item, voice in zip(_times(len(items)), items, voice_tags, strict=False):
        label = f"<v {item.speaker}>{html.escape(item.lines[0], quote=False)}</v>"
        if not voice:
            label = f"{item.speaker}: {html.escape(item.lines[0], quote=False)}"
        blocks += [f"{_stamp(start, '.')} --> {_stamp(end, '.')}", label, ""]
    data = "\n".join(blocks).encode()
    doc = read_document(data, source="c.vtt")
    assert turns(doc) == _merge_same_speaker(items)
    assert doc.segments[0].start_s == 1.0
    _check(data, "c.vtt")


@SETTINGS
@given(transcript(continuation=False))
def test_srt_transcript(items: list[Turn]) -> None:
    blocks = []
    for number, ((start, end), item) in enumerate(zip(_times(len(items)), items, strict=True), start=1):
        blocks += [
            str(number),
            f"{_stamp(start, ',')} --> {_stamp(end, ',')}",
            f"{item.speaker}: {item.lines[0]}",
            "",
        ]
    data = "\r\n".join(blocks).encode()
    doc = read_document(data, source="c.srt")
    assert turns(doc) == _merge_same_speaker(items)
    assert [s.end_s for s in doc.segments][-1] == _times(len(items))[-1][1]
    _check(data, "c.srt")


@SETTINGS
@given(transcript(continuation=True), st.lists(st.sampled_from(["", "  ", "\n"]), max_size=3))
def test_json_transcript(items: list[Turn], blanks: list[str]) -> None:
    records: list[dict[str, object]] = [
        {"speaker": t.speaker, "text": "\n".join(t.lines), "start": s, "end": e}
        for t, (s, e) in zip(items, _times(len(items)), strict=True)
    ]
    records[1:1] = [{"speaker": "Nobody", "text": blank} for blank in blanks]  # empty turns are skipped
    data = json.dumps({"segments": records}, ensure_ascii=False).encode()
    doc = read_document(data, source="t.json")
    assert turns(doc) == [(t.speaker, t.text) for t in items]
    assert doc.metadata["turns"] == str(len(records))
    assert all(records[s.source_index or 0]["speaker"] == s.speaker for s in doc.segments)
    _check(data, "t.json")


@SETTINGS
@given(
    st.lists(
        st.fixed_dictionaries({"speaker": st.text(max_size=20), "text": st.text(max_size=80)}), max_size=6
    )
)
def test_json_with_any_unicode_is_well_formed_or_a_failure(records: list[dict[str, str]]) -> None:
    doc = attempt(json.dumps(records), "any.json")
    if isinstance(doc, IngestFailure):
        assert_understandable(doc)
        return
    assert_well_formed(doc)
    assert [doc.segment_text(s) for s in doc.segments] == [
        expected_text(r["text"]) for r in records if expected_text(r["text"])
    ]


# --- statements ---------------------------------------------------------------------------------------


@st.composite
def statement(draw: st.DrawFn) -> list[tuple[str, list[str]]]:
    """Paragraphs (a few hard-wrapped lines each) and bullet items, as (marker, lines)."""
    blocks = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["", "", "• ", "- ", "* "]),
                st.lists(phrase(min_words=2, max_words=6), min_size=1, max_size=3),  # hard-wrapped lines
            ),
            min_size=1,
            max_size=6,
        )
    )
    # a hard-wrapped line breaks mid-sentence: only a paragraph's last line may end one (text written
    # one sentence per line is a paragraph a line, tested below)
    blocks = [(m, [_mid_sentence(line) for line in lines[:-1]] + lines[-1:]) for m, lines in blocks]
    return [(m, lines) for m, lines in blocks if not any(is_boilerplate(line) for line in lines)] or [
        ("", ["plain words"])
    ]


def _mid_sentence(line: str) -> str:
    return line.rstrip('.!?:;\u201d")') or "words"


def _render(blocks: list[tuple[str, list[str]]]) -> str:
    return "\n\n".join(marker + "\n".join(lines) for marker, lines in blocks) + "\n"


@SETTINGS
@given(statement())
def test_txt_and_md_statement(blocks: list[tuple[str, list[str]]]) -> None:
    data = _render(blocks).encode()
    doc = read_document(data, source="s.txt")
    assert doc.kind == "statement"
    assert [doc.segment_text(s) for s in doc.segments] == [
        expected_text(" ".join(lines)) for _, lines in blocks
    ]
    assert [s.kind == "item" for s in doc.segments] == [bool(marker) for marker, _ in blocks]
    _check(data, "s.txt")
    assert read_document(data, source="s.md").id == doc.id  # same content, same document


_LONG = (
    "and the assembly resolved to act on every recommendation of the commission without further delay, "
    "in every region, for every learner, and with the resources that this requires"
)
# Each paragraph ends a sentence: a line that does not, followed by a lower-case one, is a stray hard break.
long_paragraph = st.tuples(phrase(), phrase()).map(lambda pair: f"{pair[0]} {_LONG} {pair[1]}.")


@SETTINGS
@given(st.lists(long_paragraph, min_size=2, max_size=5))
def test_txt_statement_written_one_paragraph_per_line(paragraphs: list[str]) -> None:
    data = ("\n".join(paragraphs) + "\n").encode()
    doc = read_document(data, source="speech.txt")
    assert doc.kind == "statement"
    assert [doc.segment_text(s) for s in doc.segments] == [expected_text(p) for p in paragraphs]
    _check(data, "speech.txt")


@SETTINGS
@given(statement())
def test_html_statement(blocks: list[tuple[str, list[str]]]) -> None:
    body = "".join(
        f"<li>{html.escape(chr(10).join(lines))}</li>"
        if marker
        else f"<p>{html.escape(chr(10).join(lines))}</p>"
        for marker, lines in blocks
    )
    data = f"<!DOCTYPE html><html><body><main>{body}</main></body></html>".encode()
    doc = read_document(data, source="s.html")
    assert [doc.segment_text(s) for s in doc.segments] == [
        expected_text(" ".join(lines)) for _, lines in blocks
    ]
    _check(data, "s.html")


# --- never anything but IngestFailure -----------------------------------------------------------------

_EXTENSIONS = [".txt", ".md", ".html", ".vtt", ".srt", ".json", ".docx", ".pdf", ".xyz", ""]


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(_EXTENSIONS))
def test_arbitrary_bytes_raise_only_ingest_failure(data: bytes, ext: str) -> None:
    outcome = attempt(data, f"input{ext}")
    if isinstance(outcome, IngestFailure):
        assert_understandable(outcome)
    else:
        assert_well_formed(outcome)


_SIGNATURES = [
    b"WEBVTT\n\n",
    b"1\n00:00:01,000 --> ",
    b"<!DOCTYPE html><html>",
    b"[{",
    b"---\n",
    b"%PDF-1.4\n",
]


@SETTINGS
@given(st.sampled_from(_SIGNATURES), st.text(max_size=400), st.sampled_from(_EXTENSIONS))
def test_plausible_starts_with_arbitrary_text_raise_only_ingest_failure(
    head: bytes, tail: str, ext: str
) -> None:
    outcome = attempt(head + tail.encode(), f"input{ext}")
    if isinstance(outcome, IngestFailure):
        assert_understandable(outcome)
    else:
        assert_well_formed(outcome)
