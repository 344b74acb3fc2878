"""Text normalization: the one place that decides what a document's canonical text looks like.

Rules (each tested): Unicode NFC; non-breaking and other exotic spaces become plain spaces; zero-width
characters, soft hyphens and control characters are dropped; curly quotes are kept (quotes are evidence);
lines inside a paragraph are joined with one space, unless the text is written one paragraph per line
(no hard wrapping: many of its lines are longer than any wrapped line would be); bullets (``•``, ``-``,
``*`` ...) start a new paragraph and lose their marker; navigation boilerplate lines ("You are here",
"Skip to main content", "Share this") are dropped; so are the page numbers, dates and document
symbols that text exported from PDF carries beside its form feeds ("20/45 15-29816", "A/70/PV.25").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from nlp.document import SegmentKind

_SPACES = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_BLANK_LINES = re.compile(r"\n[ \t\u00a0]*\n\s*")
_BULLET = re.compile(r"^(?:[•▪◦‣●○■□]\s*|[·\-*]\s+)")
_NUMBERED = re.compile(r"^\d{1,2}[.)]\s+\S")
_UNWRAPPED_LINE = 150
_SENTENCE_ENDS = (".", "!", "?", ":", ";", "\u201d", '"', ")")
"""Hard-wrapped text breaks lines well before this many characters; a line this long is a paragraph."""
_SENTENCE_LINES = 3
_SENTENCE_LINE_SHARE = 0.6
_PROSE = re.compile(r"[a-zß-ÿ]{3}")
_FURNITURE_MAX_CHARS = 60
_FURNITURE_LINES = 2
"""Running headers and footers: at most this many short lines on each side of a page break."""
_BOILERPLATE = re.compile(
    r"^(you are here|skip to (main )?content|skip navigation|share( this( page| article| story)?)?"
    r"|share on (facebook|twitter|x|linkedin|whatsapp|email)|print( this page)?|back to top"
    r"|e-?mail this page|tweet|follow us|accept( all)? cookies|cookie settings)\s*[:.!]?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Block:
    """A piece of text a reader found, before normalization: a turn, a paragraph, a heading or an item."""

    text: str
    speaker: str | None = None
    start_s: float | None = None
    end_s: float | None = None
    kind: SegmentKind = "paragraph"
    source_index: int | None = None


def clean_inline(text: str) -> str:
    """Normalize characters and whitespace of one paragraph; line breaks become single spaces."""
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    # NFC last: dropping an invisible character can bring a base letter and a combining mark together.
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def is_boilerplate(line: str) -> bool:
    return bool(_BOILERPLATE.match(clean_inline(line)))


def _one_per_line(lines: list[str]) -> bool:
    """Whether each line is a paragraph: at least a third of the lines are too long to be hard-wrapped
    (one paragraph per line, as many speech archives save text), or most lines end a sentence (one
    sentence per line: hard-wrapped prose ends a line mid-sentence far more often than not)."""
    if len(lines) < 2:
        return False
    long_lines = sum(len(line) > _UNWRAPPED_LINE for line in lines)
    if long_lines and long_lines * 3 >= len(lines):
        return True
    ended = sum(line.endswith(_SENTENCE_ENDS) for line in lines)
    return len(lines) >= _SENTENCE_LINES and ended >= _SENTENCE_LINE_SHARE * len(lines)


def _continues(previous: str, line: str) -> bool:
    """A stray hard break inside a sentence: no sentence end before it, a lower-case word after it."""
    return not previous.endswith(_SENTENCE_ENDS) and line[:1].islower()


def drop_page_furniture(raw: str) -> str:
    """Remove form feeds and the short lines without words beside them (page numbers, dates, symbols),
    so that a sentence broken by a page break in text exported from PDF is one line apart again.
    Blank lines outside that furniture are kept: they still separate paragraphs."""
    if "\f" not in raw:
        return raw
    lines = raw.split("\n")
    drop: set[int] = set()
    for k, line in enumerate(lines):
        if "\f" not in line:
            continue
        lines[k] = line.replace("\f", "")
        lo = hi = k
        if _is_furniture(lines[k]):
            drop.add(k)
        for step in (-1, 1):
            j, taken = k + step, 0
            while 0 <= j < len(lines) and taken < _FURNITURE_LINES:
                if lines[j].strip():
                    if not _is_furniture(lines[j]):
                        break
                    drop.add(j)
                    taken += 1
                    lo, hi = min(lo, j), max(hi, j)
                j += step
        drop.update(j for j in range(lo, hi + 1) if not lines[j].strip())
    return "\n".join(line for k, line in enumerate(lines) if k not in drop)


def _is_furniture(line: str) -> bool:
    text = line.strip()
    return not text or (len(text) <= _FURNITURE_MAX_CHARS and not _PROSE.search(text))


def split_paragraphs(
    raw: str, *, kind: SegmentKind = "paragraph", one_per_line: bool | None = None
) -> list[Block]:
    """Split free text into paragraph blocks: blank lines separate paragraphs, bullets start items.

    ``one_per_line`` makes every line break a paragraph break; by default that is decided for each
    blank-line separated chunk: it holds when at least a third of the chunk's lines are too long to be
    hard-wrapped (text saved with one paragraph per line, as many speech archives are).
    """
    raw = drop_page_furniture(_LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", raw)))
    paragraphs: list[tuple[SegmentKind, list[str]]] = []
    for chunk in _BLANK_LINES.split(raw):
        lines = chunk.split("\n")
        unwrapped = one_per_line
        if unwrapped is None:
            unwrapped = _one_per_line([line.strip() for line in lines if line.strip()])
        paragraphs.append((kind, []))
        for line in lines:
            stripped = clean_inline(line)
            if not stripped or is_boilerplate(stripped):
                continue
            bullet = _BULLET.match(stripped)
            if bullet or _NUMBERED.match(stripped):
                paragraphs.append(("item", []))
                stripped = stripped[bullet.end() :] if bullet else stripped
            elif unwrapped and paragraphs[-1][1] and not _continues(paragraphs[-1][1][-1], stripped):
                paragraphs.append((kind, []))
            paragraphs[-1][1].append(stripped)
    blocks: list[Block] = []
    for paragraph_kind, lines in paragraphs:
        text = clean_inline(" ".join(lines))
        if text:
            blocks.append(Block(text=text, kind=paragraph_kind))
    return blocks
