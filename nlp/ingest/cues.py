"""WebVTT and SubRip captions: cues merged into speaker turns, rolling-caption repeats removed.

Speakers come from WebVTT voice tags (``<v Name>``) or a ``Name:`` prefix; a cue without one continues
the current speaker's turn. A malformed timing line is an error naming its line number, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nlp.document import Document
from nlp.errors import ErrorCode, IngestFailure
from nlp.ingest.assemble import assemble
from nlp.ingest.dates import find_date
from nlp.ingest.decode import decode_text
from nlp.ingest.timecodes import parse_timestamp
from nlp.normalize import Block, clean_inline

_TIMING = re.compile(r"^\s*(?P<start>\S+)\s+-->\s+(?P<end>\S+)(?:\s+.*)?$")
_VOICE = re.compile(r"<v(?:\.[\w.\-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d{1,2}:\d{2}[^>]*>")
_PREFIX = re.compile(r"^(?:-\s*)?(?P<name>[A-Z][\w.'’\-]*(?:\s+[A-Z0-9][\w.'’\-]*){0,4}|[A-Z][A-Z .'\-]{1,30}):\s+")
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&nbsp;": " ", "&lrm;": "", "&rlm;": ""}
_NEW_TURN_GAP_S = 2.0


@dataclass
class _Cue:
    start_s: float
    end_s: float
    lines: list[str]
    speaker: str | None
    line_no: int


@dataclass
class _Turn:
    speaker: str | None
    start_s: float
    end_s: float
    index: int
    parts: list[str] = field(default_factory=list)


def read_vtt(data: bytes, *, source: str) -> Document:
    text, encoding = decode_text(data)
    lines = _lines(text)
    if not lines or not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise IngestFailure(ErrorCode.MALFORMED, "a WebVTT file must start with the line 'WEBVTT'")
    title = lines[0].lstrip("\ufeff")[len("WEBVTT") :].strip(" -\t") or None
    cues = _parse_cues(lines[1:], first_line_no=2, kind="WebVTT")
    return _document(cues, source=source, format="vtt", title=title, encoding=encoding)


def read_srt(data: bytes, *, source: str) -> Document:
    text, encoding = decode_text(data)
    cues = _parse_cues(_lines(text), first_line_no=1, kind="SubRip")
    return _document(cues, source=source, format="srt", title=None, encoding=encoding)


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _parse_cues(lines: list[str], *, first_line_no: int, kind: str) -> list[_Cue]:
    """Split into blank-line separated blocks; each cue block holds a timing line then its text."""
    cues: list[_Cue] = []
    block: list[tuple[int, str]] = []
    for no, line in enumerate([*lines, ""], start=first_line_no):
        if line.strip():
            block.append((no, line))
            continue
        if block:
            cue = _parse_block(block, kind)
            if cue is not None:
                cues.append(cue)
            block = []
    if not cues:
        raise IngestFailure(ErrorCode.NO_TEXT, f"the {kind} file has no cues with text")
    return cues


def _parse_block(block: list[tuple[int, str]], kind: str) -> _Cue | None:
    first = block[0][1].strip()
    if first.startswith(("NOTE", "STYLE", "REGION")):
        return None
    timing_at = next((i for i, (_, line) in enumerate(block[:2]) if "-->" in line), None)
    if timing_at is None:
        if kind == "SubRip" or len(block) > 1:
            raise IngestFailure(
                ErrorCode.MALFORMED, f"line {block[0][0]}: expected a cue timing line 'start --> end'"
            )
        return None  # a lone WebVTT header line such as "Kind: captions"
    line_no, timing = block[timing_at]
    match = _TIMING.match(timing)
    try:
        if not match:
            raise ValueError
        start_s, end_s = parse_timestamp(match["start"]), parse_timestamp(match["end"])
    except ValueError:
        raise IngestFailure(
            ErrorCode.MALFORMED, f"line {line_no}: malformed {kind} cue timing {timing.strip()!r}"
        ) from None
    if end_s < start_s:
        raise IngestFailure(ErrorCode.MALFORMED, f"line {line_no}: cue ends before it starts")
    speaker, text_lines = _cue_text([line for _, line in block[timing_at + 1 :]])
    if not text_lines:
        return None
    return _Cue(start_s=start_s, end_s=end_s, lines=text_lines, speaker=speaker, line_no=line_no)


def _cue_text(raw_lines: list[str]) -> tuple[str | None, list[str]]:
    speaker: str | None = None
    out: list[str] = []
    for raw in raw_lines:
        voice = _VOICE.search(raw)
        if voice and speaker is None:
            speaker = clean_inline(voice.group(1))
        line = _TAG.sub("", raw)
        for entity, char in _ENTITIES.items():
            line = line.replace(entity, char)
        line = clean_inline(line)
        prefix = _PREFIX.match(line)
        if prefix and speaker is None and not out:
            speaker = prefix["name"].strip()
            line = line[prefix.end() :]
        if line:
            out.append(line)
    return speaker, out


def _drop_rolling_repeats(cues: list[_Cue]) -> None:
    """Live captions repeat the previous cue's last line(s) at the top of the next cue."""
    previous: list[str] = []
    for cue in cues:
        overlap = 0
        for size in range(min(len(previous), len(cue.lines)), 0, -1):
            if previous[-size:] == cue.lines[:size]:
                overlap = size
                break
        current = cue.lines
        cue.lines = cue.lines[overlap:]
        previous = current


def _merge_turns(cues: list[_Cue]) -> list[_Turn]:
    turns: list[_Turn] = []
    for index, cue in enumerate(cues):
        if not cue.lines:
            continue
        last = turns[-1] if turns else None
        same_speaker = last is not None and (cue.speaker is None or cue.speaker == last.speaker)
        unattributed_pause = (
            last is not None and last.speaker is None and cue.start_s - last.end_s >= _NEW_TURN_GAP_S
        )
        if last is not None and same_speaker and not unattributed_pause:
            last.parts.extend(cue.lines)
            last.end_s = max(last.end_s, cue.end_s)
        else:
            speaker = cue.speaker if cue.speaker is not None else None
            turns.append(_Turn(speaker=speaker, start_s=cue.start_s, end_s=cue.end_s, index=index))
            turns[-1].parts.extend(cue.lines)
    return turns


def _document(cues: list[_Cue], *, source: str, format: str, title: str | None, encoding: str) -> Document:
    _drop_rolling_repeats(cues)
    turns = _merge_turns(cues)
    blocks = [
        Block(text=" ".join(t.parts), speaker=t.speaker, start_s=t.start_s, end_s=t.end_s, kind="turn",
              source_index=t.index)
        for t in turns
    ]  # fmt: skip
    metadata = {"encoding": encoding, "cues": str(len(cues))}
    return assemble(
        blocks, source=source, format=format, kind="transcript", title=title, date=find_date(title),
        metadata=metadata,
    )  # fmt: skip
