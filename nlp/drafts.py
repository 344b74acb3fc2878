"""Reporter drafts: "N key takeaways from X" in Markdown and DOCX, built only from what the text says.

A reporter starts from the draft and then checks it, so every point, quote, name, role, date and place in
it is a verbatim span of a source document (a point may lose a leading "But" or "However,"). The words
around them (headline pattern, lede sentences, layout) come from Jinja2 templates in
``configs/templates/``, so a newsroom changes its house style without touching code. Whatever the text
leaves open (a missing year, a speaker without a role, words nobody is named as saying) is never guessed:
it goes in the "check before publishing" list.

Pure functions: summaries in, a :class:`Draft` out; the only I/O is reading templates from the given
folder. Rendering a draft as Markdown or Word is :mod:`flows.outputs.drafts`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import jinja2
from pydantic import BaseModel, ConfigDict, Field

from nlp.announced import NUMBER_WORDS, announced_count
from nlp.entities import HONORIFICS, is_unnamed_label, split_speaker_label, title_key
from nlp.facts import BODY_NOUNS, EVENT_NOUNS
from nlp.linguistic import reading_text
from nlp.summary import DocumentSummary, Person, Takeaway
from nlp.takeaways import OTHER

DRAFT_SCHEMA_VERSION = 1
DEFAULT_TEMPLATES = Path(__file__).resolve().parents[1] / "configs" / "templates"
"""The project's house style; callers pass their own folder (a setting) to change it."""

_OPENERS = re.compile(
    r"^(?:(?:but|and|so|yet|also|however|moreover|furthermore|indeed|still|now|well|first(?:ly)?|"
    r"second(?:ly)?|third(?:ly)?|fourth|finally|lastly|in addition|additionally|in short|to recap|"
    r"to sum up|in conclusion|of course|that said)\b[,:]?\s+"
    r"|(?:(?:mr|madam|madame|mister)\.?\s*)?(?:chair(?:man|person|woman)?|speaker|president),\s*)+",
    re.IGNORECASE,
)
"""Discourse markers that tie a sentence to the one before it, and forms of address opening a turn ("Mr.
Chair, ..."): both read oddly as a stand-alone point."""
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_HAS_MONTH = re.compile(rf"\b(?:{_MONTHS})\b", re.IGNORECASE)
_HAS_DAY = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\b|\b\d{4}-\d{2}-\d{2}\b")
_HAS_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_DETERMINERS = frozenset({"this", "that", "today's", "today’s", "tonight's", "tonight’s", "our", "the"})
_TRAILING_STOP = re.compile(r"[\s.,;:]+$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceRef(_Frozen):
    """Where a point or quote comes from: ``document.text[start:end]`` is its sentence."""

    document_id: str
    title: str
    source: str
    locator: str = Field(description='"paragraph 6", "00:04:12" (transcript time) or "turn 12"')
    start: int
    end: int

    @property
    def label(self) -> str:
        return f"{self.title}, {self.locator}"


class DraftPerson(_Frozen):
    name: str
    role: str | None = None
    organisation: str | None = None

    @property
    def described(self) -> str:
        """ "Name, Role at Organisation" with whatever the text gave; a bare role label reads "the Chair",
        and a label its role repeats ("Marketing", "Marketing Expert") reads as the role."""
        if is_unnamed_label(self.name):
            return f"the {self.name}"
        if self.role and set(self.name.casefold().split()) <= set(self.role.casefold().split()):
            return f"the {self.role}"
        if self.role and self.organisation:
            return f"{self.name}, {self.role} at {self.organisation}"
        if self.role:
            return f"{self.name}, {self.role}"
        if self.organisation:
            return f"{self.name} of {self.organisation}"
        return self.name


class DraftQuote(_Frozen):
    text: str = Field(
        description="the source's words at the citation, without transcript markup or fillers "
        "(trailing full stop dropped)"
    )
    speaker: str | None
    direct: bool = Field(
        description="words someone said (a quotation, a turn, a named speaker's statement): shown in "
        "quotation marks; otherwise the text is cited as an excerpt"
    )
    citation: SourceRef


class DraftTakeaway(_Frozen):
    rank: int
    theme: str
    theme_label: str
    point: str = Field(description="the headline sentence, verbatim or without a leading connective")
    point_speaker: str | None
    quote: DraftQuote | None
    attribution: str | None = Field(description='"said Name, Role"; None when nobody is named')
    citation: SourceRef
    also_in: list[SourceRef] = Field(default_factory=list, description="other documents making the point")


class LedeFacts(_Frozen):
    """The who, what, when and where of the lede, each as the text states it (or None)."""

    event: str | None
    when: str | None
    when_phrase: str | None = Field(description='"on 25 March" or "in June 2025"')
    where: str | None
    organiser: str | None
    people: list[DraftPerson]


CheckKind = Literal["quote", "attribution", "role", "date", "point", "scope"]


class Check(_Frozen):
    kind: CheckKind
    text: str


class DraftSource(_Frozen):
    document_id: str
    title: str
    source: str
    date: dt.date | None


class Draft(_Frozen):
    schema_version: int = DRAFT_SCHEMA_VERSION
    kind: Literal["document", "collection"]
    name: str
    headline: str
    lede: str
    facts: LedeFacts
    takeaways: list[DraftTakeaway]
    checks: list[Check]
    sources: list[DraftSource]


@dataclass(frozen=True)
class DraftOptions:
    max_takeaways: int = 5
    min_confidence: float = 0.6
    """Theme probability the headline sentence needs: weaker takeaways are for analysts, not for print."""
    max_people: int = 3


# --- building ---------------------------------------------------------------------------------------


def build_document_draft(
    summary: DocumentSummary,
    *,
    templates_dir: Path = DEFAULT_TEMPLATES,
    options: DraftOptions = DraftOptions(),
) -> Draft:
    """The draft for one document."""
    chosen = _eligible(summary, options)
    used: set[tuple[str, int]] = set()
    takeaways = [_draft_takeaway(rank, summary, t, [], used) for rank, t in enumerate(chosen, start=1)]
    facts, date_checks = _lede_facts([summary], takeaways, options)
    name = facts.event or described_title(summary)
    return _assemble("document", name, [summary], takeaways, facts, date_checks, templates_dir)


def build_collection_draft(
    summaries: Sequence[DocumentSummary],
    *,
    name: str,
    templates_dir: Path = DEFAULT_TEMPLATES,
    options: DraftOptions = DraftOptions(),
) -> Draft:
    """One draft for several documents (e.g. all of one event): a theme made by many documents ranks
    higher, its point comes from the document that makes it best, and the others are cited beside it."""
    if not summaries:
        raise ValueError("a collection draft needs at least one document")
    by_theme: dict[str, list[tuple[DocumentSummary, Takeaway]]] = {}
    for summary in summaries:
        for t in _eligible(summary, options):
            by_theme.setdefault(t.theme, []).append((summary, t))
    ordered = sorted(
        by_theme.items(), key=lambda kv: (-sum(t.score for _, t in kv[1]), -max(t.score for _, t in kv[1]))
    )
    takeaways = []
    used: set[tuple[str, int]] = set()
    for rank, (_, members) in enumerate(ordered[: options.max_takeaways], start=1):
        members = sorted(members, key=lambda m: -m[1].score)
        best_summary, best = members[0]
        others = [_citation(s, t.start, t.end) for s, t in members[1:]]
        takeaways.append(_draft_takeaway(rank, best_summary, best, others, used))
    facts, date_checks = _lede_facts(summaries, takeaways, options, name=name)
    return _assemble("collection", name, summaries, takeaways, facts, date_checks, templates_dir)


def select_collection(summaries: Iterable[DocumentSummary], name: str) -> list[DocumentSummary]:
    """Documents whose title, event, organiser or source path mentions ``name`` (case-insensitive)."""
    return sorted(
        (s for s in summaries if _mentions(s, name)), key=lambda s: (s.date or dt.date.max, s.source)
    )


def draft_slug(draft: Draft) -> str:
    """A file name stem: the document id for one document, ``collection-<name>`` for a collection."""
    if draft.kind == "document" and len(draft.sources) == 1:
        return draft.sources[0].document_id
    slug = re.sub(r"[^a-z0-9]+", "-", draft.name.casefold()).strip("-")[:60] or "untitled"
    return f"collection-{slug}"


def _eligible(summary: DocumentSummary, options: DraftOptions) -> list[Takeaway]:
    """The takeaways confident enough to print, capped by a count the statement announces itself."""
    themes_at = {r.start: r.themes for r in summary.sentences}
    chosen = [
        t
        for t in summary.takeaways
        if t.theme != OTHER
        and themes_at.get(t.start, {}).get(t.theme, 0.0) >= options.min_confidence
        and _quotable(t.text)
    ]
    if not chosen and summary.takeaways:
        chosen = summary.takeaways[:1]
    announced = _announced_count(summary) if summary.kind == "statement" else None
    limit = min(options.max_takeaways, announced or options.max_takeaways)
    return chosen[:limit]


def _announced_count(summary: DocumentSummary) -> int | None:
    """A statement that announces its own count ("here are my three key takeaways") caps the draft's."""
    return announced_count(summary.text)


def _draft_takeaway(
    rank: int, summary: DocumentSummary, t: Takeaway, also_in: list[SourceRef], used: set[tuple[str, int]]
) -> DraftTakeaway:
    quote = _quote_for(summary, t, used)
    if quote is not None:
        used.add((summary.id, quote.citation.start))
    speaker = quote.speaker if quote and quote.direct else None
    attribution = None
    if quote is not None and speaker:
        verb = "asked" if quote.text.endswith("?") else "said"
        attribution = f"{verb} {_person(summary, speaker).described}"
    return DraftTakeaway(
        rank=rank,
        theme=t.theme,
        theme_label=t.theme_label,
        point=trim_point(reading_text(t.text)),
        point_speaker=t.speaker,
        quote=quote,
        attribution=attribution,
        citation=_citation(summary, t.start, t.end),
        also_in=also_in,
    )


def trim_point(sentence: str) -> str:
    """The sentence without a leading connective ("But", "However,"), first letter capitalised."""
    text = " ".join(sentence.split()).rstrip(":;, ")
    trimmed = _OPENERS.sub("", text)
    if not trimmed or trimmed == text:
        return text
    return trimmed[0].upper() + trimmed[1:]


def _quote_for(summary: DocumentSummary, t: Takeaway, used: set[tuple[str, int]]) -> DraftQuote | None:
    """A quotation the text attributes, inside the takeaway's sentences; else its best evidence sentence.

    Evidence from the headline's own paragraph or turn, or by its speaker, is preferred: it backs the
    point up rather than merely sharing its theme, and it must carry the headline's theme. A quote already
    used by a stronger takeaway, a table row, a stretch across line breaks (a byline, a list) or a
    fragment is never offered. Only words someone said are put in quotation marks (``direct``): a direct
    quotation, a transcript turn, or a statement whose speaker the metadata or the text names."""
    spans = [(t.start, t.end), *((e.start, e.end) for e in t.evidence)]
    for q in summary.quotes:
        if (
            q.speaker
            and (summary.id, q.start) not in used
            and _quotable(q.text, summary.title)
            and _whole(summary.text, q.start, q.end)
            and any(q.start < end and start < q.end for start, end in spans)
        ):
            return _make_quote(summary, q.text, q.start, q.speaker, direct=True)
    themes_at = {r.start: r.themes for r in summary.sentences}
    evidence = [
        e
        for e in t.evidence
        if (summary.id, e.start) not in used
        and _quotable(e.text, summary.title)
        and _whole(summary.text, e.start, e.end)
        and t.theme in themes_at.get(e.start, {})
    ]
    if not evidence:
        return None
    headline_segment = _segment_index(summary, t.start)

    def preference(i: int) -> tuple[bool, bool, bool, float, int]:
        e = evidence[i]
        return (
            _segment_index(summary, e.start) != headline_segment,
            e.speaker != t.speaker,
            e.text.rstrip().endswith("?"),
            -themes_at.get(e.start, {}).get(t.theme, 0.0),
            abs(e.start - t.start),
        )

    e = evidence[min(range(len(evidence)), key=preference)]
    if summary.kind == "transcript":
        return _make_quote(summary, e.text, e.start, e.speaker, direct=bool(e.speaker))
    speaker = statement_speaker(summary)
    return _make_quote(summary, e.text, e.start, speaker, direct=speaker is not None)


def statement_speaker(summary: DocumentSummary) -> str | None:
    """Who delivered a statement: the speaker the metadata gives, or the one the text names as giving
    it (its only speaker label, or a self-introduction); None for a press release or an unknown voice."""
    if summary.kind != "statement":
        return None
    if summary.facts.speaker:
        return summary.facts.speaker
    if len(summary.speakers) == 1:
        return summary.speakers[0]
    return None


_SENTENCE_END = re.compile(r"[.!?…][\"”’)\]]*\s*$")
_CLOSING_MARKS = frozenset({"”", '"', "’"})


def _whole(text: str, start: int, end: int) -> bool:
    """A whole sentence, not a fragment: it opens with a capital, has at least five words and ends a
    sentence, or ends with the comma before an attribution ("...results," said the Minister) when the
    quotation does not go on after it ("...answered," said Shah, "and most...")."""
    piece = text[start:end].strip()
    if len(piece.split()) < 5 or not piece[:1].isupper():
        return False
    if _SENTENCE_END.search(piece):
        return True
    close = end if piece.endswith(",") else end + 1 if text[end : end + 1] == "," else -1
    if close >= 0 and text[close : close + 1] in _CLOSING_MARKS:
        rest = text[close + 1 : close + 160]
        stop = re.search(r"[.!?]", rest)
        return re.search(r"[“\"]", rest[: stop.start() if stop else len(rest)]) is None
    return False


def _quotable(text: str, title: str | None = None) -> bool:
    """Prose on one line: not a table row, a run of figures, or a masthead that repeats the title."""
    if title and " ".join(title.split()) in " ".join(text.split()):
        return False
    letters = sum(ch.isalpha() for ch in text)
    visible = sum(not ch.isspace() for ch in text) or 1
    return (
        "\n" not in text.strip() and "|" not in text and letters / visible >= 0.6 and len(text.split()) >= 4
    )


def _make_quote(
    summary: DocumentSummary, text: str, start: int, speaker: str | None, *, direct: bool
) -> DraftQuote:
    """The text without a trailing full stop or comma (the template punctuates around it), and without
    transcript markup or fillers; the citation's offsets are those of the verbatim source."""
    kept = _TRAILING_STOP.sub("", text)
    lead = len(kept) - len(kept.lstrip())
    kept = kept.strip()
    return DraftQuote(
        text=_TRAILING_STOP.sub("", reading_text(kept)),
        speaker=speaker,
        direct=direct,
        citation=_citation(summary, start + lead, start + lead + len(kept)),
    )


def _segment_index(summary: DocumentSummary, pos: int) -> int | None:
    for i, seg in enumerate(summary.segments):
        if seg.start <= pos < seg.end:
            return i
    return None


def _citation(summary: DocumentSummary, start: int, end: int) -> SourceRef:
    return SourceRef(
        document_id=summary.id,
        title=document_title(summary),
        source=source_name(summary.source),
        locator=locator(summary, start),
        start=start,
        end=end,
    )


_FILE_NAME = re.compile(r"^[^\s/\\]+\.(?:txt|md|vtt|srt|json|html?|docx|pdf|csv)$", re.I)


def own_title(summary: DocumentSummary) -> str | None:
    """The document's own title (metadata, front matter, heading), never a file name standing in for one."""
    title = " ".join((summary.title or "").split())
    return title if title and not _FILE_NAME.match(title) else None


def source_name(source: str) -> str:
    """A source as a reader may see it: a URL, or a file's name without the local folders."""
    return source if "://" in source else Path(source).name


def document_title(summary: DocumentSummary) -> str:
    """How citations and lists name a document: its own title, else its file name."""
    return own_title(summary) or source_name(summary.source) or summary.id[:12]


def described_title(summary: DocumentSummary) -> str:
    """What a headline calls a document: its own title, else what the facts say it is."""
    title = own_title(summary)
    if title:
        return title
    speaker = statement_speaker(summary)
    if speaker:
        return f"the statement by {_person(summary, speaker).described}"
    return "a statement" if summary.kind == "statement" else "a meeting"


def locator(summary: DocumentSummary, pos: int) -> str:
    """Transcript time when the source has one, else the paragraph (or turn) number, headings not counted."""
    number = 0
    for seg in summary.segments:
        if seg.kind != "heading":
            number += 1
        if seg.start <= pos < seg.end:
            if seg.start_s is not None:
                return format_timestamp(seg.start_s)
            if seg.kind == "heading":
                return "heading"
            return f"{'turn' if seg.kind == 'turn' else 'paragraph'} {number}"
    return f"characters {pos}+"


def format_timestamp(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


# --- people -----------------------------------------------------------------------------------------


def _name_words(name: str) -> list[str]:
    return [w for w in (title_key(w) for w in name.split()) if w not in HONORIFICS]


def _same_person(a: str, b: str) -> bool:
    """ "Dr Morgan" is "Dr Rhys Morgan"; "Rhys Morgan" is not "Helen Morgan"."""
    wa, wb = _name_words(a), _name_words(b)
    if not wa or not wb or wa[-1] != wb[-1]:
        return False
    return len(wa) == 1 or len(wb) == 1 or wa[0] == wb[0]


def _person(summary: DocumentSummary, name: str) -> DraftPerson:
    """The person as the text describes them, merged over every mention the facts found."""
    matches = [p for p in summary.facts.people if p.name == name] or [
        p for p in summary.facts.people if _same_person(p.name, name)
    ]
    return _merge_people(name, matches)


def _merge_people(name: str, people: Sequence[Person | DraftPerson]) -> DraftPerson:
    role = next((p.role for p in people if p.role), None)
    organisation = next((p.organisation for p in people if p.organisation), None)
    return DraftPerson(name=name, role=role, organisation=organisation)


# --- the lede ---------------------------------------------------------------------------------------


def _lede_facts(
    summaries: Sequence[DocumentSummary],
    takeaways: Sequence[DraftTakeaway],
    options: DraftOptions,
    *,
    name: str | None = None,
) -> tuple[LedeFacts, list[Check]]:
    """Who, what, when and where; people quoted in the draft first, then those the text gives a role.

    What, when and where all come from ONE document (mixing them across documents would invent an
    event): the one stating most of them, among those about ``name`` for a collection. A collection
    none of whose documents names that event gets no event facts at all."""
    pool = list(summaries) if name is None else [s for s in summaries if _mentions(s, name)]
    checks: list[Check] = []
    event = when = when_phrase = where = organiser = None
    if pool:
        best = max(
            pool, key=lambda s: sum(x is not None for x in (s.facts.what, s.facts.when, s.facts.where))
        )
        f = best.facts
        event = f.given.get("event") or (event_phrase(f.what.text) if f.what else None)
        where = f.given.get("place") or (" ".join(f.where.text.split()) if f.where else None)
        organiser = " ".join(f.organiser.text.split()) if f.organiser else None
        if organiser and event and organiser in event:
            organiser = None
        source = "the text" if len(summaries) == 1 else document_title(best)
        when, when_phrase, checks = _when(best, source)
        if len(summaries) > 1 and (event or when or where):
            checks.append(
                Check(
                    kind="date",
                    text=f"The lede's event, date and place come from {document_title(best)}: "
                    f"confirm they hold for all {len(summaries)} documents.",
                )
            )
    dates = sorted({s.date for s in summaries if s.date})
    if len(dates) > 1:
        checks.append(
            Check(
                kind="date",
                text=f"The documents span {_format_date(dates[0])} to {_format_date(dates[-1])}: "
                "say which date the story is about.",
            )
        )
    facts = LedeFacts(
        event=event,
        when=when,
        when_phrase=when_phrase,
        where=where,
        organiser=organiser,
        people=_lede_people(summaries, takeaways, options.max_people),
    )
    return facts, checks


def _mentions(summary: DocumentSummary, name: str) -> bool:
    key = " ".join(name.split()).casefold()
    f = summary.facts
    fields = [summary.title, summary.source, f.what and f.what.text, f.organiser and f.organiser.text]
    return bool(key) and any(key in " ".join(x.split()).casefold() for x in fields if x)


def event_phrase(what: str) -> str:
    """The event as a noun phrase to follow "from": "this session of X" becomes "the session of X", and
    a body that met, "Welcome to the Education Committee", "the meeting of the Education Committee"."""
    words = re.sub(r"\b(\d+(?:st|nd|rd|th))(?=[a-z])", r"\1 ", what).split()  # "the 15thmeeting" (sic)
    if title_key(words[-1]) in BODY_NOUNS and not any(title_key(w) in EVENT_NOUNS for w in words):
        return "the meeting of " + ("" if words[0].casefold() == "the" else "the ") + " ".join(words)
    if words[0].casefold() in _DETERMINERS:
        words[0] = "the"
    elif words[0].casefold() not in {"a", "an"} and any(title_key(w) in EVENT_NOUNS for w in words):
        words.insert(0, "the")
    return " ".join(words)


def _when(summary: DocumentSummary, title: str) -> tuple[str | None, str | None, list[Check]]:
    """The date as the text states it; a date only in metadata, a relative date or a missing year is used
    only with a check, never silently."""
    facts, text = summary.facts, summary.text
    known = facts.date or summary.date
    if facts.when is not None:
        stated = " ".join(facts.when.text.split())
        if not (_HAS_MONTH.search(stated) or _HAS_DAY.search(stated)):
            if known is None:
                return (
                    None,
                    None,
                    [Check(kind="date", text=f"{_cap(title)} dates it only as “{stated}”: find the date.")],
                )
            shown = _format_date(known)
            return (
                shown,
                f"on {shown}",
                [
                    Check(
                        kind="date",
                        text=f"{_cap(title)} says only “{stated}”; {shown} comes from the document's "
                        "date, not its text: confirm it.",
                    )
                ],
            )
        checks = []
        if not _HAS_YEAR.search(stated):
            checks.append(
                Check(kind="date", text=f"{_cap(title)} gives no year for “{stated}”: confirm the year.")
            )
        preposition = "on" if _HAS_DAY.search(stated) else "in"
        return stated, f"{preposition} {stated}", checks
    if known is not None:
        shown = _format_date(known)
        checks = []
        if not any(form in text for form in _date_forms(known)):
            checks.append(
                Check(
                    kind="date",
                    text=f"{shown} comes from the file's metadata or title; {title} does not "
                    "state it: confirm it.",
                )
            )
        return shown, f"on {shown}", checks
    return (
        None,
        None,
        [Check(kind="date", text=f"{_cap(title)} does not say when this happened: find the date.")],
    )


def _statement_speaker_described(summaries: Sequence[DocumentSummary]) -> str | None:
    speaker = statement_speaker(summaries[0])
    if speaker is None:
        return None
    described = _person(summaries[0], speaker).described
    return f"{described}," if "," in described else described


def _cap(text: str) -> str:
    """ "The text" opens a sentence; a document title keeps its own spelling."""
    return "The text" if text == "the text" else text


def _format_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _date_forms(day: dt.date) -> list[str]:
    return [_format_date(day), day.isoformat(), f"{day:%B} {day.day}, {day.year}", f"{day.day} {day:%b %Y}"]


def _lede_people(
    summaries: Sequence[DocumentSummary], takeaways: Sequence[DraftTakeaway], limit: int
) -> list[DraftPerson]:
    """Participants only: the people quoted in the draft, then those who spoke, chaired or presented,
    those the text gives a role first (a reader learns more from "X, Minister for Education" than from a
    committee member's name). Someone the text merely mentions, thanks or cites is never in the lede; a
    name that is a fragment (one word, not a speaker label) is not a name."""
    known = [p for s in summaries for p in s.facts.people if p.participant]
    speakers = {label for s in summaries for label in s.speakers}
    labels = dict(  # "Hon. X (Minister of Transport)" is Hon. X, a minister
        split_speaker_label(t.quote.speaker)
        for t in takeaways
        if t.quote
        and t.quote.direct
        and t.quote.speaker
        # a transcript's speaker takes part; someone a speech quotes ("In 1946, Romulo said") may not
        and (t.quote.speaker in speakers or any(_same_person(t.quote.speaker, p.name) for p in known))
    )
    candidates = [*labels, *(p.name for p in known if p.role or p.organisation), *(p.name for p in known)]
    out: list[DraftPerson] = []
    for name in candidates:
        if is_unnamed_label(name) or any(_same_person(name, p.name) for p in out):
            continue
        same = [p for p in known if p.name == name or _same_person(p.name, name)]
        person = _merge_people(name, same)
        if person.role is None and labels.get(name):
            person = person.model_copy(update={"role": labels[name]})
        out.append(person)
    return sorted(out, key=lambda p: p.role is None and p.organisation is None)[:limit]


def join_people(people: Sequence[DraftPerson]) -> str:
    """ "A", "A and B", "A, B and C"; semicolons when the descriptions have commas of their own."""
    parts = [p.described for p in people]
    if len(parts) <= 1:
        return "".join(parts)
    sep = "; " if any("," in p for p in parts) else ", "
    final = "; and " if sep == "; " else " and "
    return sep.join(parts[:-1]) + final + parts[-1]


def number_word(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


# --- checks -----------------------------------------------------------------------------------------


def _checks(
    summaries: Sequence[DocumentSummary], takeaways: Sequence[DraftTakeaway], facts: LedeFacts
) -> list[Check]:
    """What a reporter must confirm: every quote, unattributed words, people without roles, questions."""
    by_id = {s.id: s for s in summaries}
    single = len(summaries) == 1
    checks: list[Check] = [
        Check(
            kind="scope",
            text=f"{'The text' if single else document_title(s)} is outside the theme taxonomy (few of its "
            "sentences carry a theme): its points are not sorted into themes; decide yourself what matters.",
        )
        for s in summaries
        if s.outside_taxonomy
    ]
    for t in takeaways:
        if t.quote is None:
            continue
        where = t.quote.citation.locator if single else t.quote.citation.label
        if by_id[t.quote.citation.document_id].kind == "transcript" and ":" in t.quote.citation.locator:
            where += " (check the recording)"
        if not t.quote.direct:
            continue
        who = t.quote.speaker or "nobody named"
        checks.append(
            Check(
                kind="quote",
                text=f"Quote {t.rank} (“{_short(t.quote.text)}”, {who}): verify it "
                f"word for word against {where}.",
            )
        )
    for s in summaries:
        if (
            s.kind == "statement"
            and statement_speaker(s) is None
            and not any(p.participant for p in s.facts.people)
        ):
            where = "The text" if single else document_title(s)
            checks.append(
                Check(
                    kind="attribution",
                    text=f"{where} does not say who delivered it: find out before naming anyone "
                    "(give a speaker as metadata to have it in the draft).",
                )
            )
    unattributed: dict[str, list[int]] = {}
    for t in takeaways:
        if t.quote is not None and t.quote.direct and not t.quote.speaker:
            unattributed.setdefault(t.quote.citation.document_id, []).append(t.rank)
    for doc_id, ranks in unattributed.items():
        summary = by_id[doc_id]
        taking_part = [p for p in summary.facts.people if p.participant][:3]
        named = join_people([_merge_people(p.name, [p]) for p in taking_part])
        hint = f"; people who take part: {named}" if named else ""
        source = "The text" if single else document_title(summary)
        checks.append(
            Check(
                kind="attribution",
                text=f"{source} does not say who spoke the words "
                f"quoted in takeaway(s) {', '.join(map(str, ranks))}: attribute them{hint}.",
            )
        )
    people = list(facts.people)
    for t in takeaways:
        if t.quote and t.quote.speaker:
            people.append(_person(by_id[t.quote.citation.document_id], t.quote.speaker))
    seen: set[str] = set()
    for p in people:
        if p.name in seen:
            continue
        seen.add(p.name)
        if is_unnamed_label(p.name):
            checks.append(Check(kind="role", text=f"The {p.name} is not named in the text: find their name."))
        elif not (p.role or p.organisation):
            checks.append(Check(kind="role", text=f"{p.name}: the text gives no role or organisation."))
    for t in takeaways:
        if t.point.rstrip().endswith("?"):
            checks.append(
                Check(
                    kind="point",
                    text=f"Takeaway {t.rank} is a question in the source: "
                    "restate it as the answer the document gives, if it gives one.",
                )
            )
    return checks


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- rendering --------------------------------------------------------------------------------------


def _assemble(
    kind: Literal["document", "collection"],
    name: str,
    summaries: Sequence[DocumentSummary],
    takeaways: list[DraftTakeaway],
    facts: LedeFacts,
    date_checks: list[Check],
    templates_dir: Path,
) -> Draft:
    env = template_environment(templates_dir.resolve())
    context = {
        "kind": kind,
        "doc_kind": summaries[0].kind if len({s.kind for s in summaries}) == 1 else "mixed",
        "name": " ".join(name.split()),
        "title": own_title(summaries[0]) if kind == "document" else " ".join(name.split()),
        "speaker": _statement_speaker_described(summaries) if kind == "document" else None,
        "facts": facts,
        "people": join_people(facts.people),
        "count": len(takeaways),
        "count_word": number_word(len(takeaways)),
        "documents": len(summaries),
    }
    headline = " ".join(env.get_template("headline.txt.j2").render(context).split())
    lede = " ".join(env.get_template("lede.txt.j2").render(context).split())
    checks = [*_checks(summaries, takeaways, facts), *date_checks]
    order: dict[str, int] = {"scope": 0, "quote": 1, "attribution": 2, "role": 3, "date": 4, "point": 5}
    return Draft(
        kind=kind,
        name=" ".join(name.split()),
        headline=headline,
        lede=lede,
        facts=facts,
        takeaways=takeaways,
        checks=sorted(checks, key=lambda c: order[c.kind]),
        sources=[
            DraftSource(document_id=s.id, title=document_title(s), source=source_name(s.source), date=s.date)
            for s in summaries
        ],
    )


@lru_cache(maxsize=8)
def template_environment(templates_dir: Path) -> jinja2.Environment:
    """Plain-text templates (Markdown is not HTML: no autoescape); undefined names fail loudly. A house
    folder may override only some templates: the rest come from the project's."""
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.FileSystemLoader(templates_dir), jinja2.FileSystemLoader(DEFAULT_TEMPLATES)]
        ),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number_word"] = number_word
    env.filters["capfirst"] = lambda s: s[:1].upper() + s[1:]
    return env


__all__ = [
    "DEFAULT_TEMPLATES",
    "Check",
    "Draft",
    "DraftOptions",
    "DraftPerson",
    "DraftQuote",
    "DraftSource",
    "DraftTakeaway",
    "LedeFacts",
    "SourceRef",
    "build_collection_draft",
    "build_document_draft",
    "draft_slug",
    "event_phrase",
    "join_people",
    "locator",
    "number_word",
    "select_collection",
    "template_environment",
    "trim_point",
]
