"""How a draft's facts and text are judged: against labelled facts, a speaker table, or plain rules.

A fact the draft states is *right* when the labels support it and *wrong* when they do not; a fact it
leaves out is neither (the check list asks for it). Names match by their last word and, when both give
one, their first, ignoring honorifics; events, places and dates by their content words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from nlp.drafts import Draft
from nlp.entities import HONORIFICS, split_speaker_label, title_key
from nlp.ingest.dates import find_date

_WORD = re.compile(r"[A-Za-z0-9]+")
_STOP = frozenset(
    {"the", "a", "an", "of", "and", "for", "on", "in", "at", "to", "this", "that", "our", "its", "meeting"}
)
_MARKUP = re.compile(r"\{\w+\}|\b(?:um+|uh+|erm+|uh-huh|mm-hmm)\b", re.I)
_FILE_NAME = re.compile(r"\b[\w-]+\.(?:txt|md|vtt|srt|json|html?|docx|pdf|csv)\b", re.I)
_QUOTED = re.compile(r"“([^”]*)”")
_ORDINALS = {
    "seventieth": 70, "seventy-first": 71, "seventy-second": 72, "seventy-third": 73, "seventy-fourth": 74,
    "seventy-fifth": 75, "seventy-sixth": 76, "seventy-seventh": 77, "seventy-eighth": 78,
    "seventy-ninth": 79, "eightieth": 80, "sixty-ninth": 69,
}  # fmt: skip


def name_words(name: str) -> list[str]:
    """The words of a name, without honorifics or a label's aside: "Hon. Marc Garneau (Minister of
    Transport)" is "marc garneau"."""
    name, _ = split_speaker_label(name)
    words = [title_key(w) for w in _WORD.findall(name)]
    return [
        w for w in words if w and w not in HONORIFICS and w not in {"hon", "rt", "h", "e", "am", "mp", "ms"}
    ]


def same_person(a: str, b: str) -> bool:
    """ "Mr. Dickon Mitchell" is "Dickon Mitchell" and "Mitchell"; "Rhys Morgan" is not "Helen Morgan"."""
    if a.casefold().strip() == b.casefold().strip():  # a speaker label ("Project Manager") is itself
        return True
    wa, wb = name_words(a), name_words(b)
    if not wa or not wb:
        return False
    if wa[-1] != wb[-1] and not (set(wa) & set(wb) and (len(wa) == 1 or len(wb) == 1)):
        return False
    return len(wa) == 1 or len(wb) == 1 or wa[0] == wb[0]


def content(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)} - _STOP


def overlaps(stated: str, gold: str) -> bool:
    """Most of the stated phrase's content words are the gold phrase's (or it has none)."""
    a, b = content(stated), content(gold)
    return bool(a) and len(a & b) / len(a) >= 0.5 if a else True


def same_date(stated: str, gold: str) -> bool:
    a, b = find_date(stated), find_date(gold)
    if a is not None and b is not None:
        return (a.month, a.day) == (b.month, b.day)
    return overlaps(stated, gold)


@dataclass
class FieldScore:
    """One fact field over many documents: how often labelled, stated, right and wrong."""

    labelled: int = 0
    stated: int = 0
    right: int = 0
    wrong: int = 0
    wrong_examples: list[str] = field(default_factory=list)

    def add(self, *, labelled: bool, stated: str | None, right: bool, where: str) -> None:
        self.labelled += labelled
        if stated is None:
            return
        self.stated += 1
        if right:
            self.right += 1
        else:
            self.wrong += 1
            self.wrong_examples.append(f"{where}: {stated}")

    @property
    def coverage(self) -> float:
        """Labelled facts the drafts state rightly."""
        return self.right / self.labelled if self.labelled else 0.0


def markup_leaks(texts: Iterable[str]) -> int:
    return sum(len(_MARKUP.findall(t)) for t in texts)


def file_name_title(draft: Draft, stems: Sequence[str]) -> bool:
    """The headline or lede names a file ("IND_79_2024.txt") or a file's stem or folder."""
    shown = f"{draft.headline}\n{draft.lede}"
    return _FILE_NAME.search(shown) is not None or any(stem and stem in shown for stem in stems)


def non_quotes(draft: Draft, markdown: str) -> int:
    """Words in quotation marks in the draft's body that nobody is named as saying: neither a direct
    quotation with its speaker nor quotation marks that are the source's own (inside a verbatim point
    or a passage cited as text)."""
    body = markdown.split("## Check before publishing", 1)[0]
    said = [t.quote.text for t in draft.takeaways if t.quote and t.quote.direct and t.quote.speaker]
    points = [t.point for t in draft.takeaways]
    points += [t.quote.text for t in draft.takeaways if t.quote and not t.quote.direct]
    count = 0
    for inner in _QUOTED.findall(body):
        core = inner.rstrip(",.").strip()
        if any(core in q for q in said) or any(f"“{inner}”" in p or inner in p for p in points):
            continue
        count += 1
    return count


def un_event_right(event: str, session: int) -> bool:
    """An event for a General Debate speech: it must be the Assembly's, and of this session if numbered."""
    lowered = event.lower()
    if not re.search(r"assembly|general debate|united nations|\bun\b|session", lowered):
        return False
    numbers = [int(n) for n in re.findall(r"\b(\d{2})(?:st|nd|rd|th)\b", lowered)]
    numbers += [v for k, v in _ORDINALS.items() if k in lowered]
    return all(n == session for n in numbers)
