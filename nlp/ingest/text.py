"""Plain text and Markdown: optional YAML front matter, then either speaker turns or paragraphs.

Transcript lines recognised: ``Name: text``, ``NAME:``, ``[00:01:02] Name: text``,
``Name (00:01:02): text`` and ``(PERSON3) text``. A line without a label continues the current turn.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import yaml

from nlp.document import Document, DocumentKind
from nlp.errors import ErrorCode, IngestFailure
from nlp.ingest.assemble import assemble
from nlp.ingest.dates import find_date
from nlp.ingest.decode import decode_text
from nlp.ingest.speakers import plausible_speaker
from nlp.ingest.timecodes import TIMESTAMP, parse_timestamp
from nlp.normalize import Block, clean_inline, is_boilerplate, split_paragraphs

_FRONT_MATTER = re.compile(r"^---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|$)", re.S)
_WORD = r"[^\W_][\w.'’\-]*"
_NAME = rf"(?:{_WORD}(?:\s+{_WORD}){{0,5}})"
_STAMP = rf"[\[(]?(?P<ts>{TIMESTAMP})[\])]?"
_STRONG_PATTERNS = (
    re.compile(rf"^{_STAMP}\s*(?:-\s*)?(?P<name>{_NAME})\s*:\s*(?P<text>.*)$"),
    re.compile(rf"^(?P<name>{_NAME})\s*[\[(](?P<ts>{TIMESTAMP})[\])]\s*:?\s*(?P<text>.*)$"),
    re.compile(r"^\((?P<name>[A-Z][A-Za-z]*\s?\d+)\)\s*(?P<text>.*)$"),
)
_WEAK_PATTERN = re.compile(rf"^(?P<name>{_NAME})\s*:\s*(?P<text>.*)$")
_MD_HEADING = re.compile(r"^#{1,6}\s+(?P<text>.*?)(?:\s+#+)?\s*$")
_MAX_TITLE_CHARS = 150


@dataclass(frozen=True)
class _Turn:
    speaker: str
    start_s: float | None
    text: str


def read_text(data: bytes, *, source: str, format: str = "txt") -> Document:
    """Read a ``.txt`` or ``.md`` document."""
    text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    front, body = _split_front_matter(text, source)
    metadata = {k: _as_text(v) for k, v in front.items() if k not in {"title", "date", "kind", "speakers"}}
    metadata["encoding"] = encoding  # what was detected, whatever the front matter claims
    speakers = _speaker_list(front.get("speakers"))
    if speakers:
        metadata["speakers"] = "; ".join(speakers)
    declared_kind = front.get("kind")
    if isinstance(declared_kind, str):
        declared_kind = declared_kind.strip().lower()
    if declared_kind not in (None, "transcript", "statement"):
        raise IngestFailure(
            ErrorCode.MALFORMED, f"front matter 'kind' must be transcript or statement, not {declared_kind!r}"
        )
    raw_body = body
    if format == "md":
        body = _strip_markdown(body)
    lines = body.split("\n")
    turns_found = _find_turns(lines)
    kind: DocumentKind = declared_kind or ("transcript" if turns_found else "statement")
    title = _as_text(front["title"]) if front.get("title") else None
    if kind == "transcript":
        preamble, turns = _parse_turns(lines)
        blocks = [Block(text=t, kind="heading") for t in preamble] + [
            Block(
                text=t.text,
                speaker=t.speaker,
                start_s=t.start_s,
                end_s=_next_start(turns, i),
                kind="turn",
                source_index=i,
            )
            for i, t in enumerate(turns)
        ]
        title = title or (clean_inline(preamble[0]) if preamble else None)
    else:
        blocks = _markdown_blocks(raw_body) if format == "md" else split_paragraphs(body)
        if len(speakers) == 1:
            blocks = [Block(text=b.text, kind=b.kind, speaker=speakers[0]) for b in blocks]
        if not title and blocks and blocks[0].kind == "heading":
            title = blocks[0].text
        elif (
            not title
            and len(blocks) > 1
            and blocks[0].kind == "paragraph"
            and _looks_like_title(blocks[0].text)
        ):
            title = blocks[0].text
            blocks[0] = Block(text=blocks[0].text, kind="heading", speaker=blocks[0].speaker)
    date = _as_date(front.get("date")) or find_date(title)
    return assemble(
        blocks, source=source, format=format, kind=kind, title=title, date=date, metadata=metadata,
        split_bullets=False,
    )  # fmt: skip


def _split_front_matter(text: str, source: str) -> tuple[dict[str, object], str]:
    stripped = text.lstrip("\ufeff")
    match = _FRONT_MATTER.match(stripped)
    if not match:
        return {}, stripped
    try:
        loaded = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None)
        raise IngestFailure(
            ErrorCode.MALFORMED,
            f"the YAML front matter is invalid{where}" + (f": {problem}" if problem else ""),
        ) from exc
    except (ValueError, TypeError) as exc:  # e.g. "date: 2024-02-31" fails while building a date
        raise IngestFailure(
            ErrorCode.MALFORMED, f"the YAML front matter has an invalid value: {exc}"
        ) from exc
    if not isinstance(loaded, dict):
        raise IngestFailure(ErrorCode.MALFORMED, "the YAML front matter must be a mapping of keys to values")
    return {str(k).lower(): v for k, v in loaded.items()}, stripped[match.end() :]


def _speaker_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def _as_text(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _as_date(value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return find_date(str(value))


def _looks_like_title(text: str) -> bool:
    """A short first line that does not end as a sentence or lead into the next ("... two decades later:",
    "President, friends –")."""
    return len(text) <= _MAX_TITLE_CHARS and not text.rstrip().endswith(
        (".", "?", "!", ";", ",", ":", "–", "—", "-")
    )


def _strip_markdown(body: str) -> str:
    """Drop Markdown syntax that is not prose: heading hashes, emphasis marks, code marks, link targets."""
    body = re.sub(r"^#{1,6}\s+(.*?)(?:\s+#+)?\s*$", r"\1", body, flags=re.M)
    body = re.sub(r"^ {0,3}(```|~~~).*$", "", body, flags=re.M)
    body = re.sub(r"^ {0,3}\[[^\]]+\]:\s+\S+.*$", "", body, flags=re.M)  # link reference definitions
    body = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", body)
    body = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", body)
    body = re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", body)
    body = re.sub(r"`+([^`\n]+?)`+", r"\1", body)
    span = r"((?:[^\n]|\n(?![ \t]*\n))+?)"  # emphasis may wrap onto the next line, not past a blank line
    body = re.sub(rf"(\*\*|__)(?=\S){span}(?<=\S)\1", r"\2", body)
    body = re.sub(rf"(?<![\w*])\*(?=[^\s*]){span}(?<=[^\s*])\*(?![\w*])", r"\1", body)
    body = re.sub(rf"(?<![\w_])_(?=[^\s_]){span}(?<=[^\s_])_(?![\w_])", r"\1", body)
    body = re.sub(rf"~~(?=\S){span}(?<=\S)~~", r"\1", body)
    body = re.sub(r"^>\s?", "", body, flags=re.M)
    return re.sub(r"^([-*_])(\s*\1){2,}\s*$", "", body, flags=re.M)


def _markdown_blocks(body: str) -> list[Block]:
    """A Markdown statement: ``#`` headings become heading blocks, the text between them paragraphs."""
    blocks: list[Block] = []
    pending: list[str] = []

    def flush() -> None:
        blocks.extend(split_paragraphs(_strip_markdown("\n".join(pending)), one_per_line=False))
        pending.clear()

    in_fence = False
    for line in body.split("\n"):
        if re.match(r"^ {0,3}(```|~~~)", line):
            in_fence = not in_fence
        heading = None if in_fence else _MD_HEADING.match(line)
        if heading:
            flush()
            text = clean_inline(_strip_markdown(heading["text"]))
            if text and not is_boilerplate(text):
                blocks.append(Block(text=text, kind="heading"))
        else:
            pending.append(line)
    flush()
    return blocks


def _match_turn(line: str) -> tuple[re.Match[str] | None, bool]:
    stripped = line.strip()
    for pattern in _STRONG_PATTERNS:
        match = pattern.match(stripped)
        if match and plausible_speaker(match["name"]):
            return match, True
    match = _WEAK_PATTERN.match(stripped)
    if match and plausible_speaker(match["name"]):
        return match, False
    return None, False


def _find_turns(lines: list[str]) -> bool:
    """Decide whether the text is a transcript: timestamped turns, or most lines labelled by a speaker."""
    strong = weak = 0
    speakers: set[str] = set()
    content_lines = [line for line in lines if line.strip()]
    for line in content_lines:
        match, is_strong = _match_turn(line)
        if match:
            strong += is_strong
            weak += not is_strong
            speakers.add(match["name"].strip())
    if strong >= 2:
        return True
    return weak >= 3 and len(speakers) >= 2 and (strong + weak) >= 0.4 * len(content_lines)


def _parse_turns(lines: list[str]) -> tuple[list[str], list[_Turn]]:
    preamble: list[str] = []
    turns: list[_Turn] = []
    speaker: str | None = None
    start_s: float | None = None
    buffer: list[str] = []

    def flush() -> None:
        if speaker is not None:
            turns.append(_Turn(speaker=speaker, start_s=start_s, text=" ".join(buffer)))
        buffer.clear()

    for line in lines:
        if not line.strip():
            continue
        match, _ = _match_turn(line)
        if match:
            flush()
            speaker = clean_inline(match["name"])
            stamp = match.groupdict().get("ts")
            start_s = parse_timestamp(stamp) if stamp else None
            buffer.append(match["text"])
        elif speaker is None:
            if not is_boilerplate(line):  # page chrome before the first turn; later lines are speech
                preamble.append(line)
        else:
            buffer.append(line)
    flush()
    return preamble, turns


def _next_start(turns: list[_Turn], i: int) -> float | None:
    """A timestamped turn ends where the next one starts (unless the stamps run backwards)."""
    start = turns[i].start_s
    following = turns[i + 1].start_s if i + 1 < len(turns) else None
    return following if start is not None and following is not None and following >= start else None
