"""WebVTT and SubRip captions: cues merged into speaker turns, rolling-caption repeats removed.

Speakers come from WebVTT voice tags (``<v Name>``) or a ``Name:`` prefix; a cue without one continues
the current speaker's turn. A malformed timing line is an error naming its line number, never a guess.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from nlp.document import Document
from nlp.errors import ErrorCode, IngestFailure
from nlp.ingest.assemble import assemble
from nlp.ingest.dates import find_date
from nlp.ingest.decode import decode_text
from nlp.ingest.speakers import plausible_speaker
from nlp.ingest.timecodes import parse_timestamp
from nlp.normalize import Block, clean_inline

_TIMING = re.compile(r"^\s*(?P<start>\S+)\s+-->\s+(?P<end>\S+)(?:\s+.*)?$")
_VOICE = re.compile(r"<v(?:\.[\w.\-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d{1,2}:\d{2}[^>]*>")
_PREFIX = re.compile(
    r"^(?P<dash>-\s*)?(?P<name>[^\W\d_][\w.'’\-]*(?:\s+[\w.'’\-]+){0,4}|[A-Z][A-Z .'\-]{1,30}):\s+"
)
_DIRECTIONALITY = re.compile(r"[\u200e\u200f]")
_NEW_TURN_GAP_S = 2.0


@dataclass
class _Cue:
    start_s: float
    end_s: float
    lines: list[str]
    speaker: str | None
    line_no: int
    index: int
    """Position of the cue block in the file; a cue holding two speakers' lines yields two _Cue."""


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
    # The header runs to the first blank line ("Kind: captions", "Language: en", ...); tolerate a
    # file that starts its first cue right under the WEBVTT line.
    body_at = next((i for i, line in enumerate(lines) if not line.strip() or "-->" in line), len(lines))
    cues = _parse_cues(lines[body_at:], first_line_no=body_at + 1, kind="WebVTT")
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
    blocks = 0
    for no, line in enumerate([*lines, ""], start=first_line_no):
        if line.strip():
            block.append((no, line))
            continue
        if block:
            found = _parse_block(block, kind, index=blocks)
            blocks += bool(found)
            cues.extend(found)
            block = []
    if not cues:
        raise IngestFailure(ErrorCode.NO_TEXT, f"the {kind} file has no cues with text")
    return cues


def _parse_block(block: list[tuple[int, str]], kind: str, *, index: int) -> list[_Cue]:
    first = block[0][1].strip()
    if kind == "WebVTT" and re.match(r"(NOTE|STYLE|REGION)(\s|$)", first):
        return []
    timing_at = next((i for i, (_, line) in enumerate(block[:2]) if "-->" in line), None)
    if timing_at is None:
        if kind == "SubRip" or len(block) > 1:
            raise IngestFailure(
                ErrorCode.MALFORMED, f"line {block[0][0]}: expected a cue timing line 'start --> end'"
            )
        return []  # a lone WebVTT header line such as "Kind: captions"
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
    return [
        _Cue(start_s=start_s, end_s=end_s, lines=lines, speaker=speaker, line_no=line_no, index=index)
        for speaker, lines in _cue_text([line for _, line in block[timing_at + 1 :]])
        if lines
    ]


def _cue_text(raw_lines: list[str]) -> list[tuple[str | None, list[str]]]:
    """The cue's lines grouped by speaker.

    A voice tag names the speaker of its line; so does a ``Name:`` prefix on the cue's first line or after
    a dialogue dash (``- Name: ...``). Other lines continue the current speaker.
    """
    cleaned = [clean_inline(_DIRECTIONALITY.sub("", html.unescape(_TAG.sub("", raw)))) for raw in raw_lines]
    dialogue = sum(line.startswith("-") for line in cleaned) >= 2
    groups: list[tuple[str | None, list[str]]] = []
    speaker: str | None = None
    out: list[str] = []
    for position, (raw, line) in enumerate(zip(raw_lines, cleaned, strict=True)):
        voice = _VOICE.search(raw)
        named = clean_inline(voice.group(1)) if voice else None
        prefix = _PREFIX.match(line)
        if (
            named is None
            and prefix
            and (position == 0 or prefix["dash"])
            and plausible_speaker(prefix["name"])
        ):
            named = clean_inline(prefix["name"])
            line = line[prefix.end() :]
        elif dialogue and line.startswith("-"):
            line = line[1:].lstrip()
        if named is not None and named != speaker:
            if out:
                groups.append((speaker, out))
            speaker, out = named, []
        if line:
            out.append(line)
    groups.append((speaker, out))
    return groups


def _drop_rolling_repeats(cues: list[_Cue]) -> None:
    """Live captions repeat the previous cue's last line(s) at the top of the next cue."""
    previous: list[str] = []
    previous_speaker: str | None = None
    for cue in cues:
        overlap = 0
        if cue.speaker is None or cue.speaker == previous_speaker:
            for size in range(min(len(previous), len(cue.lines)), 0, -1):
                if previous[-size:] == cue.lines[:size]:
                    overlap = size
                    break
        current = cue.lines
        cue.lines = cue.lines[overlap:]
        previous = current
        previous_speaker = cue.speaker if cue.speaker is not None else previous_speaker


def _merge_turns(cues: list[_Cue]) -> list[_Turn]:
    turns: list[_Turn] = []
    for cue in cues:
        last = turns[-1] if turns else None
        if not cue.lines:
            if last is not None:  # a cue that only repeated what was already shown
                last.end_s = max(last.end_s, cue.end_s)
            continue
        same_speaker = last is not None and (cue.speaker is None or cue.speaker == last.speaker)
        unattributed_pause = (
            last is not None and last.speaker is None and cue.start_s - last.end_s >= _NEW_TURN_GAP_S
        )
        if last is not None and same_speaker and not unattributed_pause:
            last.parts.extend(cue.lines)
            last.end_s = max(last.end_s, cue.end_s)
        else:
            turns.append(_Turn(speaker=cue.speaker, start_s=cue.start_s, end_s=cue.end_s, index=cue.index))
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
    metadata = {"encoding": encoding, "cues": str(len({cue.index for cue in cues}))}
    return assemble(
        blocks, source=source, format=format, kind="transcript", title=title, date=find_date(title),
        metadata=metadata,
    )  # fmt: skip
