"""The facts a news lede needs: what happened, when, where, who organised it and who spoke.

A reporter's first paragraph names the event, its date and place, the host and the people quoted with
their roles ("Borhene Chakroun, Director of ... at UNESCO"). Event statements sit in the title and the
first paragraphs, so candidates there win; the sentence that names the event usually dates and places it
too ("... took place on 25 March in Paris"). Without a parser, noun phrases are grown from part-of-speech
tags around event nouns, and roles are read from appositions, titles before names and, in transcripts,
speakers' self-introductions. Every span slices ``document.text`` exactly.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from nlp.document import Document
from nlp.entities import (
    DEPARTMENT_WORDS,
    HONORIFICS,
    ORG_WORDS,
    ROLE_MODIFIERS,
    ROLE_WORDS,
    Mention,
    NameFinder,
    is_unnamed_label,
    split_speaker_label,
    title_key,
)
from nlp.ingest.dates import find_date
from nlp.linguistic import clean_transcript_text
from nlp.metadata import given
from nlp.quotes import extract_quotes
from nlp.summary import Entity, EventFacts, Person, Quote, Span

EVENT_NOUNS = frozenset(
    {"meeting", "conference", "summit", "forum", "session", "hearing", "webinar", "launch", "debate",
     "assembly", "symposium", "workshop", "convention", "congress", "roundtable", "seminar", "dialogue"}
)  # fmt: skip
_MONTH = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
_WEEKDAY = r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_FULL_DATE = re.compile(
    rf"\b(?:(?:{_WEEKDAY}),?\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH})\.?(?:,?\s+\d{{4}})?"
    rf"|(?:{_MONTH})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|(?:{_MONTH})\s+\d{{4}})\b"
    r"|\b\d{4}-\d{2}-\d{2}\b"
)
_CALENDAR = re.compile(
    rf"\b(?:{_MONTH}|{_WEEKDAY}|today|tonight|yesterday|tomorrow|this (?:morning|afternoon|evening|week)"
    r"|last (?:week|month|night)|next (?:week|month))\b",
    re.I,
)
_DURATION = re.compile(
    r"\b(?:annual|annually|weekly|monthly|daily|every|each|past|years|months|weeks|days|hours|decade|"
    r"between|until|since|over|for|period|end)\b",
    re.I,
)
_VENUE = re.compile(
    r"\b(?:took place|takes place|taking place|will take place|(?:was|were|is|are|will be|being) held|"
    r"hosted|hosts|convened|convenes|gathered|met|opened|organi[sz]ed|brought together|welcomed|"
    r"held)\b",
    re.I,
)
_HOSTED_BY = re.compile(
    r"\b(?:hosted|co-hosted|organi[sz]ed|co-organi[sz]ed|convened|sponsored|run|led|chaired)\s+by\s+", re.I
)
_HOSTS = re.compile(
    r"\s+(?:\w+\s+)?(?:hosts|hosted|co-hosted|organi[sz]es|organi[sz]ed|convenes|convened)\b", re.I
)
_COMPLEMENT = re.compile(r"\s+(?:of|for)\s+(?:the\s+)?(?P<org>[A-Z][^\n]*?)\s*$")
_WORDS = re.compile(r"[\w'’-]+")
_SPAN_START = re.compile(r"\b(?:[Bb]etween|[Ss]ince|[Uu]ntil|[Ff]rom)\s+$")
_PLACE_PREP = re.compile(r"\b(?:in|at)\s+(?:the\s+)?$", re.I)
_PLACE_GAP = re.compile(r"[\s,]*(?:(?:here|there|today|on|this\s+\w+)[\s,]*)*", re.I)
_DATELINE_PLACE = re.compile(rf",\s+(?P<place>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?),\s+(?=\d|(?:{_MONTH})\b)")
_OTHER_EVENT_BEFORE = re.compile(
    r"\b(?:(?:minutes|notes|summary|recap)\s+(?:of|from)|sum up|leaving)\s+$",
    re.I,
)
_OTHER_EVENT_AFTER = re.compile(r"['’]s\s+minutes\b", re.I)
_EARLIER = re.compile(r"\b(?:last|previous|prior|earlier|past|next)\b", re.I)
_THIS_EVENT_BEFORE = re.compile(
    r"\b(?:this|it)\s*(?:is|'s|’s|will be)\s+(?:\w+\s+){0,2}$|\b(?:welcome|agenda|start|open)\b.{0,30}$", re.I
)
_THIS_BEFORE = re.compile(r"\b(?:this|today['’]s|the present)\s+$", re.I)
_THIS_OPENING = re.compile(r"(?:this|today['’]s)\b", re.I)
_ELECTED = re.compile(r"\b(?:election|elected|assum(?:ing|ption))\b", re.I)
_PREDECESSOR = re.compile(r"\b(?:predecessor|outgoing|previous|preceding|last|former)\b", re.I)
_CHAIR_ADDRESSED = re.compile(
    r"^(?:(?:[Tt]hank you|[Tt]hanks|Diolch|Yes|Okay|Good morning)(?: very much)?,?\s+)?"
    r"(?:Madam\s+|Mr\.?\s*)?Chair\b"
)
_INDEFINITE = re.compile(r"(?:a|an)\s", re.I)
_WELCOME_TO = r"\b[Ww]elcome\s+(?:\w+\s+){0,2}?(?:back\s+)?to\s+"  # "Welcome (you all) (back) to"
_WELCOME = re.compile(_WELCOME_TO + r"(?:the\s+)?(?=[A-Z])")
_WELCOME_BEFORE = re.compile(_WELCOME_TO + r"(?:the\s+|this\s+|our\s+)?$")
_GLUED_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)(?P<noun>[a-z]+)")  # "the 15thmeeting of ..." (sic)
BODY_NOUNS = frozenset(
    {"committee", "subcommittee", "council", "board", "commission", "parliament", "senate", "cabinet",
     "caucus", "taskforce", "assembly"}
)  # fmt: skip
_AFFILIATION = re.compile(r"\s+(?:of|from|at)\s+(?:the\s+)?")
_APPOSITION_OPEN = re.compile(r"\s*(?:,|\()\s*(?:who\s+is\s+|who['’]s\s+)?")
_APPOSITION_END = re.compile(r"[,;()\n]|\.(?:\s|$)|\s+(?:who|which|to|and I|has|had|have|is|was|will|said)\b")
_OWN_SCOPE = re.compile(
    r"\s+(?:for|in|of|on|at)\s+(?:this|our|your|the)\s+(?:project|team|group|meeting)\b.*$", re.I
)
_NAME_INTRO = re.compile(
    r"\b(?:I am|I'm|I’m|[Mm]y name is|[Mm]y name['’]s)\s+(?P<name>[A-Z][a-z]+(?: [A-Z][a-z]+)?)\b"
)
_SELF_INTRO_ROLE = re.compile(r"^(?:I am|I'm|I’m)\s+(?:your\s+|our\s+)?", re.I)
_SELF_INTRO = re.compile(r"\b(?:I am|I'm|I’m|[Mm]y name is|[Tt]his is)\s+")
_TITLES_BEFORE = r"(?:(?:the|Hon\.?|Rt\.?|H\.?\s?E\.?|Dr\.?|Mr\.?|Mrs\.?|Ms\.?|Prof\.?)\s+)*$"
_BYLINE_BEFORE = re.compile(
    r"(?:\b(?:[Ss]peech|[Rr]emarks|[Aa]ddress|[Ss]tatement|[Kk]eynote|[Ll]ecture)\s+(?:delivered\s+|given\s+)?by"
    r"|\b[Mm]y name is|\bI am|\bI'm|\bI’m)\s+" + _TITLES_BEFORE
)
_ACTING_BEFORE = re.compile(
    r"(?:\b(?:chaired|presented|moderated|facilitated|opened|convened|introduced|delivered) by"
    r"|\b(?:presentation) by)\s+" + _TITLES_BEFORE
)
_BYLINE_AT = re.compile(
    r"\b(?:speech|remarks|address|statement|keynote|lecture|presentation)\b[^\n]{0,160}?\bat\s+(?:the\s+)?$",
    re.I,
)
_INVITED_BEFORE = re.compile(r"\b(?:asked|invited)\s+$")
_INVITED_AFTER = re.compile(
    r"[^.!?\n]{0,160}?\bto\s+(?:share|give|speak|present|reflect|tell|explain|answer|address|open|close)\b"
)
_THIS_EVENT = re.compile(
    r"\b(?:[Tt]his|[Tt]oday['’]s)\s+(?:\w+\s+){0,2}?(?:meeting|session|event|conference|"
    r"forum|webinar|workshop|summit|hearing|seminar|panel|roundtable|briefing|launch|ceremony)\b"
)
_HISTORY = re.compile(
    r"\b(?:[Rr]ecently|ago|so far|ha(?:ve|s|d) been|[Ll]ast (?:year|month|week)|[Ee]arlier this year"
    r"|[Ii]n (?:19|20)\d\d)\b"
)
_RECALLED = re.compile(r"\b(?:anniversary|ago|since|in memory|commemorat\w*)\b", re.I)
_CLAUSE_BREAK = re.compile(r"[—–;:]| - ")
_TODAY = re.compile(r"\b(?:[Tt]oday|[Tt]his (?:morning|afternoon|evening|week))\b")
_DATELINE_REACH = 80
_DATELINE_WORDS = 2  # "PARIS, 25 March —", "Geneva, Switzerland, 5 May"
_DATE_LINE_WORDS = 8
_MARKER_REACH = 40
_OPENING_BLOCKS = 2  # a press release's headline and first paragraph, a speech's opening lines
_REPORTING_VERB = r"(?:said|says|added|explained|noted|told\s+(?:reporters|participants|the\s+\w+))"
_SAID_AFTER = re.compile(rf"[\s,.”\"']*{_REPORTING_VERB}\s+(?:the\s+)?(?:[\w.’'-]+\s+){{0,4}}?", re.S)
_SAID_BEFORE = re.compile(rf"\s*(?:,[^,“”\"]{{0,60}},\s*)?{_REPORTING_VERB}\s*[:,]\s*")
_CITING_BEFORE = re.compile(r"\b(?:[Aa]s|[Ww]hen|[Tt]hat)\s+(?:\w+\s+)?$")
_FIRST_PERSON = re.compile(r"\b(?:I|we|We|my|My|our|Our)\b")
_SPEECH_SHARE = 0.3
_SENTENCE_GAPS = frozenset({". ", "! ", "? ", ": "})
_AS_ROLE = re.compile(r"\bAs\s+(?:the\s+|a\s+|an\s+|your\s+)?(?P<role>[^,.;!?\n]{2,60}),")
_ROLE_CUT = re.compile(r"[,.;!?\n]|\s+and\s+|\s+(?:who|which|here|today|so|but)\b")
_TRAILING_AND = re.compile(r"\s+(?:and|or)$")
_AND_NEXT = re.compile(r"\s+and\s+(?:the\s+|a\s+)?(?P<word>[\w-]+)")
_ARTICLE = re.compile(r"^(?:the|a|an|our|your|its|their)\s+", re.I)
_ORG_LABELS = frozenset({"ORG"})
_WHEN_LABELS = frozenset({"DATE", "TIME"})
_NOT_PLACE_LABELS = frozenset({"DATE", "TIME", "PERSON", "NORP", "ORG", "MONEY", "PERCENT", "CARDINAL"})
_PLACE_LABELS = ("GPE", "LOC", "FAC")
_FIRST_BLOCKS = 5
_EARLY_CHARS = 600
_MAX_LEFT = 10
_MAX_MAIN_SPEAKERS = 6
_MIN_TALK_SHARE = 0.05


@dataclass
class _Candidate:
    start: int
    end: int
    score: float
    keyword_end: int
    head: str = ""  # the event noun: "session" in "this session" and in "the seventy-fourth session"
    named: bool = False  # a name or a number: "the 15th meeting of the X Committee", "session 2"
    complement: bool = False  # "the second regional summit on teacher pay"
    kinded: bool = False  # a kind of event: "the evidence session", "the conceptual design meeting"


@dataclass
class _Draft:
    name: str
    start: int | None
    end: int | None
    role: str | None = None
    organisation: str | None = None
    talk: float = 0.0
    role_spans: list[tuple[int, int]] = field(default_factory=list)
    participant: bool = False
    titled: bool = False  # the role is only a title others use ("Councillor David")


class _Layout:
    """Where a position sits: which block (segment or line), whether it is a heading, which sentence."""

    def __init__(self, document: Document, doc: Doc) -> None:
        text = document.text
        if document.segments:
            blocks = [(s.start, s.end, s.kind == "heading") for s in document.segments]
        else:
            blocks = [(m.start(), m.end(), False) for m in re.finditer(r"[^\n]*\S[^\n]*", text)]
        if blocks and document.title and text[blocks[0][0] : blocks[0][1]].strip() == document.title.strip():
            blocks[0] = (blocks[0][0], blocks[0][1], True)
        self.blocks = blocks
        self._block_starts = [b[0] for b in blocks]
        body_rank: list[int] = []
        rank = 0
        for _, _, heading in blocks:
            body_rank.append(rank)
            rank += 0 if heading else 1
        self._body_rank = body_rank
        if doc.has_annotation("SENT_START"):
            sentences = [(s.start_char, s.end_char) for s in doc.sents]
        else:
            sentences = [(b[0], b[1]) for b in blocks]
        self.sentences = sentences
        self._sentence_starts = [s[0] for s in sentences]

    def block(self, pos: int) -> int:
        return max(bisect.bisect_right(self._block_starts, pos) - 1, 0)

    def block_start(self, pos: int) -> int:
        return self.blocks[self.block(pos)][0] if self.blocks else 0

    def is_heading(self, pos: int) -> bool:
        return bool(self.blocks) and self.blocks[self.block(pos)][2]

    def body_rank(self, pos: int) -> int:
        return self._body_rank[self.block(pos)] if self.blocks else 0

    def is_early(self, pos: int) -> bool:
        """In the title, the first paragraphs or the first lines (a meeting's first turns are often
        one-word: "Okay .", "{vocalsound}")."""
        return self.is_heading(pos) or self.body_rank(pos) < _FIRST_BLOCKS or pos < _EARLY_CHARS

    def early_end(self) -> int:
        """Where the title and the first paragraphs end."""
        late = [b[0] for b, rank in zip(self.blocks, self._body_rank, strict=True) if rank >= _FIRST_BLOCKS]
        return max(late[0], _EARLY_CHARS) if late else (self.blocks[-1][1] if self.blocks else 0)

    def sentence(self, pos: int) -> tuple[int, int]:
        if not self.sentences:
            return (0, 0)
        return self.sentences[max(bisect.bisect_right(self._sentence_starts, pos) - 1, 0)]


def _span(text: str, start: int, end: int) -> Span:
    return Span(text=text[start:end], start=start, end=end)


def _grow_left(doc: Doc, i: int, sentence_start: int) -> int:
    """Extend an event noun leftwards over its determiner, ordinals, adjectives and name words."""
    floor = max(i - _MAX_LEFT, 0)
    while i - 1 >= floor:
        token = doc[i - 1]
        if token.is_space or token.lower_ in {"'s", "’s"} or token.idx < sentence_start:
            break
        if not (
            _in_hyphenated(doc, i - 1, floor)
            or token.pos_ in {"DET", "ADJ", "NUM", "PROPN", "NOUN"}
            or token.ent_type_ == "ORDINAL"
        ):
            break
        i -= 1
        if token.pos_ == "DET":
            break
    return i


def _in_hyphenated(doc: Doc, i: int, floor: int) -> bool:
    """Token ``i`` is part of a hyphenated word ("kick-off", "follow-up"): a hyphen with no space around
    it, or a word joined to one."""

    def joining(h: int) -> bool:
        return (
            floor < h < len(doc) - 1
            and doc[h].text == "-"
            and not doc[h].whitespace_
            and not doc[h - 1].whitespace_
        )

    return joining(i) or joining(i - 1) or (not doc[i].whitespace_ and joining(i + 1))


def _grow_right(doc: Doc, j: int) -> int:
    """Extend an event noun rightwards over a number and an "of/on/for the ..." complement."""
    if j + 1 < len(doc) and doc[j + 1].like_num and doc[j].whitespace_ != "":
        j += 1
    if j + 1 >= len(doc) or doc[j + 1].lower_ not in {"of", "on", "for"}:
        return j
    k = j + 2
    if k < len(doc) and doc[k].pos_ == "DET":
        k += 1
    first, last = k, None
    while k < len(doc) and k - j < 14:
        token = doc[k]
        if token.is_space or token.ent_type_ in _WHEN_LABELS:
            break
        if token.pos_ in {"PROPN", "NOUN", "ADJ", "NUM"}:
            last = k
        elif not (
            token.lower_ in {"and", "&", "of", "for", "on", "the"}
            and last is not None
            and doc[last].text[:1].isupper()
            and _capital_follows(doc, k)
        ):
            break
        k += 1
    if last is None:
        return j
    entity_end = _entity_end(doc, first) or (_entity_end(doc, first - 1) if first - 1 > j + 1 else None)
    return entity_end if entity_end is not None and entity_end > last else last


def _capital_follows(doc: Doc, k: int) -> bool:
    """The word after token ``k``, past a "the", is capitalised: "Committee on the COVID-19 Pandemic"."""
    n = k + 2 if k + 1 < len(doc) and doc[k + 1].lower_ == "the" else k + 1
    return n < len(doc) and doc[n].text[:1].isupper()


def _entity_end(doc: Doc, i: int) -> int | None:
    """Last token of the ORG entity starting at token ``i`` ("Children, Young People and Education
    Committee" holds commas the complement walk stops at), if it stays on one line."""
    if i >= len(doc) or doc[i].ent_type_ != "ORG" or doc[i].ent_iob_ != "B":
        return None
    j = i
    while (
        j + 1 < len(doc) and doc[j + 1].ent_iob_ == "I" and not doc[j + 1].is_space and doc[j + 1].text != "("
    ):
        j += 1
    return j


def _is_this_event(text: str, candidate: _Candidate, layout: _Layout) -> bool:
    """Whether a statement gives the event as its own: in a heading, as "this ..." or "today's ...", in a
    byline at its top ("Remarks by X at the Y Summit") or in a sentence saying it takes place. An
    indefinite "a Climate Action Summit" is one of many, never the statement's own."""
    if _INDEFINITE.match(text, candidate.start):
        return False
    sentence = layout.sentence(candidate.start)
    before = text[max(sentence[0], candidate.start - 40) : candidate.start]
    opening = layout.body_rank(candidate.start) < _OPENING_BLOCKS
    byline = _BYLINE_AT.search(
        text, max(layout.block_start(candidate.start), candidate.start - 200), candidate.start
    )
    return (
        layout.is_heading(candidate.start)
        or _THIS_BEFORE.search(before) is not None
        or _WELCOME_BEFORE.search(before) is not None
        or _THIS_OPENING.match(text, candidate.start) is not None
        or (opening and byline is not None)
        or (
            _says_it_took_place(text, candidate, sentence)
            and _HISTORY.search(text, *sentence) is None
            and (opening or _TODAY.search(text, *sentence) is not None)
        )
    )


def _presided_now(text: str, candidate: _Candidate, sentence: tuple[int, int]) -> bool:
    """A session whose president a speech congratulates on their election is the one it is given at: "I
    congratulate Mr. Yang on his election as President of the seventy-ninth session" (not the session his
    predecessor led), when the speech also speaks of "this session" (so it is given at one)."""
    elected = _ELECTED.search(text, max(sentence[0], candidate.start - 100), candidate.start)
    return elected is not None and _PREDECESSOR.search(text, sentence[0], candidate.end) is None


def _says_it_took_place(text: str, candidate: _Candidate, sentence: tuple[int, int]) -> bool:
    """Whether the candidate's clause says it took place ("X took place on 25 March", "the board held its
    meeting of X"); not an aside ("the conclusions of the third Conference on Financing, held in Addis
    Ababa"), a clause about something else ("commitments made at the Ocean Conference held here in
    June") or what the speaker's side did ("We also convened the sixteenth Conference of the Parties")."""
    start, end = _clause(text, sentence, candidate.start)
    if _FIRST_PERSON.search(text, start, end):
        return False
    if _VENUE.search(text, start, candidate.start):  # "The board held its last meeting of ..."
        return True
    venue = _VENUE.search(text, candidate.end, end)
    return (
        venue is not None
        and len(text[start : candidate.start].split()) <= 2
        and "," not in text[candidate.end : venue.start()]
    )


def _event_candidates(text: str, doc: Doc, entities: list[Entity], layout: _Layout) -> list[_Candidate]:
    tagged = doc.has_annotation("TAG")
    out: list[_Candidate] = []
    for token in doc:
        glued = _GLUED_ORDINAL.fullmatch(token.lower_)
        noun = glued["noun"] if glued else token.lower_
        if noun not in EVENT_NOUNS and token.lemma_.lower() not in EVENT_NOUNS:
            continue
        if (tagged and not glued and token.pos_ not in {"NOUN", "PROPN"}) or not layout.is_early(token.idx):
            continue
        sentence_start = layout.sentence(token.idx)[0]
        left = _grow_left(doc, token.i, sentence_start)
        at_its = left >= 3 and doc[left - 1].lower_ in {"its", "their"} and doc[left - 2].lower_ == "at"
        if at_its and doc[left - 3].pos_ == "PROPN":  # "the General Assembly at its seventy-fourth session"
            left = _grow_left(doc, left - 3, sentence_start)
        right = _grow_right(doc, token.i)
        start, end = doc[left].idx, doc[right].idx + len(doc[right].text)
        words = doc[left : right + 1]
        named = bool(glued) or any(_is_name_word(t) for t in words if t.i != token.i)
        kinded = any(t.pos_ in {"NOUN", "PROPN"} or t.text == "-" for t in doc[left : token.i])
        score = float(right > token.i) + float(any(t.pos_ == "PROPN" and t.i != token.i for t in words))
        if len([t for t in words if t.pos_ != "DET"]) <= 1:
            score -= 1
        head = noun if noun in EVENT_NOUNS else token.lemma_.lower()
        out.append(
            _Candidate(
                start,
                end,
                score,
                token.idx + len(token.text),
                head=head,
                named=named,
                kinded=kinded,
                complement=right > token.i,
            )
        )
    out += _welcomed_bodies(text, doc, layout)
    for entity in entities:  # an event entity elsewhere is one a speaker mentions ("three Olympic Games")
        if entity.label == "EVENT" and layout.is_heading(entity.start):
            out.append(_Candidate(entity.start, entity.end, 2.0, entity.end, named=True))
    venues: dict[tuple[int, int], bool] = {}
    for candidate in out:
        position = (
            3.0
            if layout.is_heading(candidate.start)
            else max(0.0, 3.0 - 0.5 * layout.body_rank(candidate.start))
        )
        sentence = layout.sentence(candidate.start)
        if sentence not in venues:
            venues[sentence] = _VENUE.search(text, *sentence) is not None
        welcomed = _WELCOME_BEFORE.search(text, max(sentence[0], candidate.start - 40), candidate.start)
        candidate.score += position + (1.0 if venues[sentence] or welcomed else 0.0)
    return out


def _welcomed_bodies(text: str, doc: Doc, layout: _Layout) -> list[_Candidate]:
    """A body whose meeting this is, by the chair's welcome: "Welcome to the Children, Young People and
    Education Committee" (a name the entity recogniser often misses, commas and all)."""
    out = []
    for welcome in _WELCOME.finditer(text, 0, layout.early_end()):
        span = doc.char_span(welcome.end(), min(welcome.end() + 120, len(text)), alignment_mode="expand")
        if span is None:
            continue
        body = None
        for i, token in enumerate(span):
            if title_key(token.text) in BODY_NOUNS and i > 0:  # "... and Education committee" too
                body = token
            elif not (token.text[:1].isupper() or (i > 0 and token.lower_ in {",", "and", "&", "of", "the"})):
                break
        if body is not None:
            end = body.idx + len(body.text)
            out.append(_Candidate(welcome.end(), end, 2.0, end, named=True))
    return out


def _is_name_word(token: Token) -> bool:
    """A proper noun, a capitalised word inside a sentence ("this Assembly") or a number ("session 2"); not
    an ordinal word ("the third meeting" names no meeting)."""
    if token.pos_ == "DET":
        return False
    capital = token.text[:1].isupper()
    return token.text.isdigit() or (capital and (token.pos_ == "PROPN" or not token.is_sent_start))


def _normalized(text: str) -> str:
    return " ".join(_ARTICLE.sub("", text).casefold().split())


def _another_event(text: str, candidate: _Candidate, sentence: tuple[int, int]) -> bool:
    """Whether the words name an earlier or a later meeting, not this one: "the minutes of the last
    meeting", "in last meeting we discussed", "the first meeting's minutes", "the next summit". "This
    is our last meeting", "the agenda for our last meeting" and "its last meeting was held" are this one."""
    before = text[max(sentence[0], candidate.start - 60) : candidate.start]
    if _OTHER_EVENT_BEFORE.search(before) or _OTHER_EVENT_AFTER.match(text, candidate.end):
        return True
    if not _EARLIER.search(text, candidate.start, candidate.end):
        return False
    return not (_THIS_EVENT_BEFORE.search(before) or _VENUE.search(text, *sentence))


def _event(
    text: str, doc: Doc, entities: list[Entity], layout: _Layout, *, statement: bool = False
) -> _Candidate | None:
    """The event the document records. A statement names many events (a speech congratulates the
    president of "the seventy-ninth session", recalls "the 2015 summit"), so there a candidate counts only
    in a heading, in a sentence that says it took place, or as "this ..." / "today's ...". A phrase
    that names no event ("this important meeting", "the forum of world leaders") is left out rather than
    printed as one, unless it is the subject of "took place"; a meeting's may still say what kind it is
    ("the evidence session")."""
    found = [
        c
        for c in _event_candidates(text, doc, entities, layout)
        if layout.is_early(c.start) and not _another_event(text, c, layout.sentence(c.start))
    ]
    own = {id(c) for c in found if not statement or _is_this_event(text, c, layout)}
    own_heads = {c.head for c in found if id(c) in own}
    candidates = [
        c
        for c in found
        if (
            c.named
            or (not statement and (c.kinded or c.complement))
            or (c.complement and _says_it_took_place(text, c, layout.sentence(c.start)))
        )
        and (id(c) in own or (c.head in own_heads and _presided_now(text, c, layout.sentence(c.start))))
    ]
    if not candidates:
        return None
    best = max(candidates, key=lambda c: (c.score, -c.start, c.end))
    if layout.is_heading(best.start):  # the same name in a body sentence reads better in a lede
        same = [
            c
            for c in candidates
            if not layout.is_heading(c.start)
            and _normalized(text[c.start : c.end]) == _normalized(text[best.start : best.end])
        ]
        if same:
            best = min(same, key=lambda c: c.start)
    return best


def _date_spans(text: str, entities: list[Entity]) -> list[tuple[int, int]]:
    """Calendar dates ("25 March", "on Monday", "today"), not durations or frequencies ("annual")."""
    found = [(m.start(), m.end()) for m in _FULL_DATE.finditer(text)]
    for entity in entities:
        if entity.label != "DATE" or any(s < entity.end and entity.start < e for s, e in found):
            continue
        if entity.text.islower() and " " not in entity.text:
            continue  # "this august body", "you may"
        if _CALENDAR.search(entity.text) and not _DURATION.search(entity.text):
            found.append((entity.start, entity.end))
    return sorted(found)


def _when(text: str, dates: list[tuple[int, int]], event: _Candidate | None, layout: _Layout) -> Span | None:
    """The event's date: in the event's sentence or paragraph. Other dates are history a speech recalls
    ("we met in Paris in December 2015") or what a speaker plans ("the report will be published on 23
    March"): without the event, only a heading, dateline or "today" sentence dates it."""
    if event is not None:
        sentence = layout.sentence(event.start)
        s_end = sentence[1]
        c_start, c_end = _clause(text, sentence, event.start)
        outside_event = [d for d in dates if not event.start <= d[0] < event.end]
        inside = [
            d for d in outside_event if c_start <= d[0] and d[1] <= c_end and not _recalls(text, sentence)
        ]
        if inside:
            return _span(text, *inside[0])
        block = layout.block(event.start)
        reach = layout.sentence(layout.sentence(s_end)[1])[1]  # the two sentences after the event's
        nearby = [
            d
            for d in dates
            if s_end <= d[0] < max(reach, s_end)
            and _same_clause(text, event.end, layout.sentence(d[0])[0])
            and layout.block(d[0]) == block
            and _VENUE.search(text, *layout.sentence(d[0]))  # "It took place on 25 March."
            and not _recalls(text, layout.sentence(d[0]))
        ]
        if nearby:
            return _span(text, *min(nearby, key=lambda d: (not _is_full_date(text, d), d[0])))
    dates = [d for d in dates if _own_date_or_place(text, d[0], layout)]
    for start, end in dates:
        s_start, s_end = layout.sentence(start)
        if layout.is_early(start) and _VENUE.search(text, s_start, s_end):
            return _span(text, start, end)
    early = [d for d in dates if layout.is_early(d[0]) and _is_full_date(text, d)]
    return _span(text, *early[0]) if early else None


def _own_date_or_place(text: str, pos: int, layout: _Layout) -> bool:
    """Whether a date or place at ``pos`` belongs to the document's own event: in a heading, at the head
    of its first paragraph (a dateline: "PARIS, 25 March —", not "On 26 June 1945, fifty delegations"),
    or next to "this session" or "today" in a clause that recalls nothing ("Today, 2 June, ..." but not
    "the countries that today make up the UN were not represented in San Francisco on 26 June 1945")."""
    if layout.is_heading(pos):
        return True
    first = next((b for b in layout.blocks if not b[2]), None)
    if first is not None and first[0] <= pos < min(first[1], first[0] + _DATELINE_REACH):
        short = len(text[first[0] : first[1]].split()) <= _DATE_LINE_WORDS  # "Published 8 April 2025"
        lead = text[first[0] : pos].strip()  # "PARIS," before a dateline's date, not "On"
        dateline = len(lead.split()) <= _DATELINE_WORDS and (not lead or lead.endswith((",", "—", "–", "·")))
        if short or dateline:
            return True
    sentence = layout.sentence(pos)
    if _recalls(text, sentence) or _SPAN_START.search(text, max(pos - 12, 0), pos):
        return (
            False  # "Today marks five years since 27 September 2015", "Between 28 September 1960 and today"
        )
    start, end = _clause(text, sentence, pos)
    near = (max(start, pos - _MARKER_REACH), min(end, pos + _MARKER_REACH))
    return _THIS_EVENT.search(text, *near) is not None or _TODAY.search(text, *near) is not None


def _is_full_date(text: str, span: tuple[int, int]) -> bool:
    """A date a reader can place on a calendar: a day and a month, or a month and a year."""
    return bool(_FULL_DATE.fullmatch(text, *span))


def _clause(text: str, sentence: tuple[int, int], pos: int) -> tuple[int, int]:
    """The part of a sentence around ``pos`` between breaks stronger than a comma (see _same_clause)."""
    start, end = sentence
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text, start, end)]
    return (
        max((b + 1 for b in breaks if b < pos), default=start),
        min((b for b in breaks if b >= pos), default=end),
    )


def _same_clause(text: str, a: int, b: int) -> bool:
    """Whether nothing stronger than a comma separates two positions of a sentence: in "here in the
    General Assembly — after the elections held in Kenya on 9 August", the date is the elections'."""
    return _CLAUSE_BREAK.search(text, min(a, b), max(a, b)) is None


def _place_after(
    text: str, places: list[Entity], anchors: Iterable[int], dates: list[tuple[int, int]]
) -> Entity | None:
    """The place the event is "in" or "at", right after its name or its "took place" with at most a date
    or "here" between ("took place on 25 March in Paris", "held here in New York"); not a place further
    on in the clause ("is being held in a difficult context marked by the war in Ukraine"), nor one
    greetings come "from" or congratulations go "to"."""
    for place in sorted(places, key=lambda e: (e.label == "FAC", e.start)):
        prep = _PLACE_PREP.search(text, max(place.start - 12, 0), place.start)
        if prep is None:
            continue
        for anchor in anchors:
            if anchor > prep.start():
                continue
            gap = text[anchor : prep.start()]
            for d_start, d_end in dates:
                if anchor <= d_start and d_end <= prep.start():
                    gap = gap.replace(text[d_start:d_end], " ")
            if _PLACE_GAP.fullmatch(gap):
                return place
    return None


def _untagged_place(doc: Doc, start: int, end: int, anchors: list[int]) -> Span | None:
    """Proper nouns after "in" that no entity claims: "held in Cardiff" when NER missed Cardiff; as for
    a tagged place, the "in" follows the event or its "held" (see _place_after)."""
    span = doc.char_span(start, end, alignment_mode="contract")
    if span is None:
        return None
    for token in span:
        if token.lower_ != "in" or not any(
            a <= token.idx and _PLACE_GAP.fullmatch(doc.text[a : token.idx]) for a in anchors
        ):
            continue
        words = []
        for following in doc[token.i + 1 : min(token.i + 4, span.end)]:
            if following.pos_ != "PROPN" or following.ent_type_ in _NOT_PLACE_LABELS:
                break
            words.append(following)
        if words:
            return _span(doc.text, words[0].idx, words[-1].idx + len(words[-1].text))
    return None


def _where(
    text: str,
    doc: Doc,
    entities: list[Entity],
    event: _Candidate | None,
    layout: _Layout,
    dates: list[tuple[int, int]],
) -> Span | None:
    """Where the event took place; other places (cities a speech recalls, a speaker's constituency) only
    count in the heading, dateline or a sentence about this event."""
    places = [e for e in entities if e.label in _PLACE_LABELS]
    if event is not None:
        c_start, c_end = _clause(text, layout.sentence(event.start), event.start)
        venues = [m.end() for m in _VENUE.finditer(text, c_start, c_end)]
        place = _place_after(text, places, [event.end, *venues], dates)
        if place is not None:
            return _span(text, place.start, place.end)
        dateline = _DATELINE_PLACE.match(text, event.end, c_end)
        if dateline:
            return _span(text, *dateline.span("place"))
        if _VENUE.search(text, c_start, c_end):
            return _untagged_place(doc, c_start, c_end, [event.end, *venues])
    places = [p for p in places if _own_date_or_place(text, p.start, layout)]
    for s_start, s_end in layout.sentences:
        if not layout.is_early(s_start):
            break
        venues = [m.end() for m in _VENUE.finditer(text, s_start, s_end) if _names_an_event(text, m.start())]
        place = _place_after(text, places, venues, dates) if venues else None
        if place is not None:
            return _span(text, place.start, place.end)
    return None


def _names_an_event(text: str, pos: int) -> bool:
    """Whether the words around ``pos`` between commas name an event ("this session is being held"), not
    something else ("As we meet in this forum, the final election rallies are being held in Germany")."""
    start = text.rfind(",", 0, pos) + 1
    end = text.find(",", pos)
    words = {title_key(w) for w in _WORDS.findall(text[start : end if end >= 0 else len(text)])}
    return bool(words & EVENT_NOUNS) or "today" in words


def _organiser(
    text: str, doc: Doc, entities: list[Entity], event: _Candidate | None, layout: _Layout
) -> Span | None:
    orgs = [e for e in entities if e.label in _ORG_LABELS]
    early_end = layout.early_end()
    starts = [o.start for o in orgs]
    for m in _HOSTED_BY.finditer(text, 0, early_end):
        i = bisect.bisect_left(starts, m.end())
        if i < len(orgs) and orgs[i].start - m.end() <= 4:
            return _span(text, orgs[i].start, orgs[i].end)
    for org in (o for o in orgs if o.end <= early_end):
        if _HOSTS.match(text, org.end, min(org.end + 40, len(text))):
            return _span(text, org.start, org.end)
    if event is None:
        return None
    complement = _COMPLEMENT.search(text, event.keyword_end, event.end)
    if complement is not None:
        words = complement["org"].split()
        covered = any(o.start <= complement.start("org") < o.end for o in orgs)
        if title_key(words[-1]) in ORG_WORDS or covered:
            return _span(text, *complement.span("org"))
    inside = [o for o in orgs if event.start <= o.start and o.end <= event.end and o.end < event.keyword_end]
    if inside:
        return _span(text, inside[-1].start, inside[-1].end)
    span = doc.char_span(event.start, event.end, alignment_mode="expand")
    run: list[Token] = []
    for token in span if span is not None else ():
        if token.pos_ == "PROPN" or (token.text[:1].isupper() and token.idx < event.keyword_end - 1):
            run.append(token)
            if title_key(token.text) in ORG_WORDS and token.idx + len(token.text) < event.keyword_end:
                return _span(text, run[0].idx, token.idx + len(token.text))
        else:
            run = []
    return None


def _role_and_org(text: str, start: int, end: int, orgs: list[Entity]) -> tuple[str, str | None] | None:
    """Split "Director of X Division at UNESCO" into a role and an organisation, if it is a role at all."""
    phrase = _SELF_INTRO_ROLE.sub("", clean_transcript_text(text[start:end]))
    body = _ARTICLE.sub("", phrase)
    offset = start + max(text[start:end].find(body), 0)
    for joint in _AND_NEXT.finditer(body):
        if title_key(joint["word"]) in ROLE_WORDS | ROLE_MODIFIERS:
            body = body[: joint.start()]  # "spokesperson for health and social care and leader of X"
            break
    body = _TRAILING_AND.sub("", body)  # "chair of X and [is here representing Y]"
    end = min(end, offset + len(body))
    words = body.split()
    if not words or len(words) > 16 or not any(title_key(w) in ROLE_WORDS for w in words[:5]):
        return None
    role, org = body, None
    if " at " in body:
        role, org = body.rsplit(" at ", 1)
    else:
        for prep in (" of ", " for ", " with ", " from "):
            cut = body.find(prep)
            if cut <= 0:
                continue
            after = _ARTICLE.sub("", body[cut + len(prep) :])
            after_words = [w for w in after.split() if w.lower() not in {"and", "&", "of", "for"}]
            if not after_words or all(title_key(w) in DEPARTMENT_WORDS for w in after_words):
                continue
            org_start = offset + cut + len(prep)
            is_org = any(o.start >= org_start - 4 and o.end <= end + 1 for o in orgs)
            if is_org or title_key(after_words[-1]) in ORG_WORDS or after.isupper():
                role, org = body[:cut], after
            break
    role = _OWN_SCOPE.sub("", _ARTICLE.sub("", role)).strip(" ,")
    org = _ARTICLE.sub("", org.split(" in ")[0]).strip(" ,.") if org else None
    head = re.split(r"\s+(?:of|for|at|in|on|with|from)\s+", role, maxsplit=1)[0].split()
    if not head or title_key(head[-1]) not in ROLE_WORDS:
        return None  # "much for teacher support": a role word, but not a role
    return role, org or None


def _apposition(text: str, end: int, orgs: list[Entity]) -> tuple[str, str | None, tuple[int, int]] | None:
    opener = _APPOSITION_OPEN.match(text, end, min(end + 16, len(text)))
    if opener is None:
        return None
    stop = _APPOSITION_END.search(text, opener.end(), min(opener.end() + 160, len(text)))
    app_end = stop.start() if stop else min(opener.end() + 160, len(text))
    found = _role_and_org(text, opener.end(), app_end, orgs)
    return (*found, (opener.end(), app_end)) if found else None


def _title_role(text: str, mention: Mention) -> str | None:
    """The role in a title written before a name ("Minister of Education" in "Minister of Education X")."""
    if mention.title_start is None:
        return None
    words = text[mention.title_start : mention.start].split()
    while words and (title_key(words[0]) not in ROLE_WORDS and title_key(words[0]) not in ROLE_MODIFIERS):
        words = words[1:]
    words = [w for w in words if title_key(w) not in HONORIFICS]
    if not any(title_key(w) in ROLE_WORDS for w in words):
        return None
    return " ".join(words).rstrip(" ,")


def _name_mentions(doc: Doc, finder: NameFinder, quotes_speakers: Iterable[tuple[int, int]]) -> list[Mention]:
    """Names from NER, quote attributions, and titles or appositions next to a capitalized name."""
    text = doc.text
    found: dict[tuple[int, int], Mention] = {}
    for start, end, title_start in finder.persons:
        title = title_start if title_start < start else finder.title_before(start)
        found[(start, end)] = Mention("name", start, end, title)
    for start, end in quotes_speakers:
        if (start, end) not in found:
            mention = finder.at(start, end)
            named = mention is not None and mention.kind == "name"
            found[(start, end)] = (
                mention if mention and named else Mention("name", start, end, finder.title_before(start))
            )
    for token in doc:
        key = title_key(token.text)
        if key in ROLE_WORDS and token.text[:1].isupper():
            mention = finder.at(token.idx, min(token.idx + 120, len(text)))
            if mention is not None and mention.kind == "name":
                found.setdefault((mention.start, mention.end), mention)
        elif token.text in {",", "("} and token.i > 0 and _apposition(text, token.idx, []):
            mention = finder.before(max(token.idx - 80, 0), token.idx, strict=False)
            if mention is not None and mention.kind == "name":
                found.setdefault((mention.start, mention.end), mention)
    return sorted(found.values(), key=lambda m: m.start)


def _speaker_talk(document: Document) -> dict[str, float]:
    timed = all(s.start_s is not None and s.end_s is not None for s in document.segments if s.speaker)
    talk: dict[str, float] = {}
    for segment in document.segments:
        if not segment.speaker:
            continue
        if timed and segment.start_s is not None and segment.end_s is not None:
            amount = segment.end_s - segment.start_s
        else:
            amount = float(segment.end - segment.start)
        talk[segment.speaker] = talk.get(segment.speaker, 0.0) + amount
    return talk


def _self_introduction(document: Document, speaker: str, orgs: list[Entity]) -> tuple[str, str | None] | None:
    """A role a speaker gives in their turns: "I'm X, programme director", "As chief financial officer"."""
    text = document.text
    names = [re.escape(speaker), *(re.escape(w) for w in speaker.split() if w[:1].isupper() and len(w) > 2)]
    name_prefix = re.compile(rf"(?:{'|'.join(names)})(?:\s+[A-Z][\w'’-]+)*\s*,?\s*")
    turns = [s for s in document.segments if s.speaker == speaker][:4]
    for turn in turns:
        for intro in _SELF_INTRO.finditer(text, turn.start, turn.end):
            pos = intro.end()
            named = name_prefix.match(text, pos, turn.end)
            pos = named.end() if named else pos
            cut = _ROLE_CUT.search(text, pos, turn.end)
            found = _role_and_org(text, pos, cut.start() if cut else turn.end, orgs)
            if found:
                return found
        as_role = _AS_ROLE.search(text, turn.start, turn.end)
        opens = as_role is not None and (
            as_role.start() == turn.start or text[as_role.start() - 2 : as_role.start()] in _SENTENCE_GAPS
        )
        if as_role and opens:
            found = _role_and_org(text, *as_role.span("role"), orgs)
            if found:
                return found
    return None


def _introduced_name(document: Document, doc: Doc, speaker: str) -> tuple[int, int] | None:
    """The name a speaker labelled by role gives in their own turns ("I'm Heather, I'm your Project
    Manager", "I'm the Project Manager Christa Pavlov"); None when the label is already a name or no
    proper name follows the introduction."""
    if not is_unnamed_label(speaker):
        return None
    label_words = {title_key(w) for w in speaker.split()}
    text = document.text
    as_label = re.compile(  # "I'm the Project Manager Christa Pavlov"
        rf"\b(?:I am|I'm|I’m)\s+(?i:the\s+|your\s+|our\s+)?(?i:{re.escape(speaker)}),?\s+"
        r"(?P<name>[A-Z][a-z]+(?: [A-Z][a-z]+)?)\b"
    )
    for turn in [s for s in document.segments if s.speaker == speaker][:4]:
        found = [
            *_NAME_INTRO.finditer(text, turn.start, turn.end),
            *as_label.finditer(text, turn.start, turn.end),
        ]
        for intro in found:
            start, end = intro.span("name")
            words = [title_key(w) for w in intro.group("name").split()]
            tokens = doc.char_span(start, end, alignment_mode="expand")
            if (
                tokens is not None
                and all(t.pos_ == "PROPN" or t.ent_type_ == "PERSON" for t in tokens)
                and not any(w in ROLE_WORDS or w in ROLE_MODIFIERS or w in label_words for w in words)
            ):
                return start, end
    return None


def _addressed_title(text: str, speaker: str) -> str | None:
    """A role others use for the speaker: "Superintendent Ortega", "President Whitfield"."""
    words = [w for w in speaker.split() if w[:1].isupper() and title_key(w) not in HONORIFICS]
    if not words:
        return None
    for m in re.finditer(rf"\b(?P<title>[A-Z][\w-]+)\s+{re.escape(words[-1])}\b", text):
        if title_key(m["title"]) in ROLE_WORDS:
            return m["title"]
    return None


def _addressed_chair(document: Document) -> str | None:
    """The speaker the others answer as "Chair" ("Thank you, Chair."), at least twice."""
    turns = [s for s in document.segments if s.speaker]
    answered: dict[str, int] = {}
    for before, turn in itertools.pairwise(turns):
        opening = document.text[turn.start : min(turn.end, turn.start + 80)]
        if before.speaker != turn.speaker and _CHAIR_ADDRESSED.search(opening):
            answered[before.speaker or ""] = answered.get(before.speaker or "", 0) + 1
    best = max(answered, key=lambda k: answered[k], default=None)
    return best if best and answered[best] >= 2 else None


def _same_person(short: str, long: str) -> bool:
    a = [w for w in short.split() if title_key(w) not in HONORIFICS]
    b = [w for w in long.split() if title_key(w) not in HONORIFICS]
    if not a or len(a) >= len(b):
        return a == b
    return any(b[i : i + len(a)] == a for i in range(len(b) - len(a) + 1))


def _people(
    document: Document, doc: Doc, entities: list[Entity], quotes: Sequence[Quote], layout: _Layout
) -> list[Person]:
    text = document.text
    orgs = [e for e in entities if e.label in _ORG_LABELS]
    finder = NameFinder(doc)
    speakers_in_quotes = [
        (q.speaker_start, q.speaker_end)
        for q in quotes
        if q.speaker_start is not None and q.speaker_end is not None
    ]
    reported = {
        (q.speaker_start, q.speaker_end)
        for q in quotes
        if _reported_speech(text, q) and not _recalls(text, layout.sentence(q.speaker_start or q.start))
    }
    drafts: list[_Draft] = []
    talk = _speaker_talk(document) if document.kind == "transcript" else {}
    total = sum(talk.values()) or 1.0
    chair = _addressed_chair(document)
    ranked = sorted(talk, key=lambda s: -talk[s])
    main = [s for s in ranked[:_MAX_MAIN_SPEAKERS] if talk[s] / total >= _MIN_TALK_SHARE]
    for speaker in ranked:
        name, label_role = split_speaker_label(speaker)
        if speaker not in main and label_role is None:
            continue  # a minor speaker counts when their label states a role ("Hon. X (Minister of Y)")
        named = re.search(rf"\b{re.escape(name)}\b", text)
        start, end = named.span() if named else (None, None)  # a speaker label the text never says
        draft = _Draft(name, start, end, talk=talk[speaker], participant=True)
        intro = _self_introduction(document, speaker, orgs)
        if intro:
            draft.role, draft.organisation = intro
        else:
            draft.role = (
                label_role or _addressed_title(text, speaker) or ("Chair" if speaker == chair else None)
            )
            draft.titled = label_role is None and draft.role is not None
        own_name = _introduced_name(document, doc, speaker)
        if own_name is not None:  # "Project Manager: I'm Heather": the label is her role
            draft.name, draft.start, draft.end = text[own_name[0] : own_name[1]], *own_name
            draft.role = draft.role or speaker
        _merge(drafts, draft)  # "The Acting Chair (Mr. Bruce Stanton)" and "Mr. Bruce Stanton (Simcoe North)"
    quoted_here = reported if _reports_others(document, quotes) else set()
    for mention in _name_mentions(doc, finder, speakers_in_quotes):
        name = text[mention.start : mention.end]
        if not any(ch.isupper() for ch in name) or any(ch.isdigit() for ch in name):
            continue
        window = max(mention.start - 60, 0)
        byline = _BYLINE_BEFORE.search(text, window, mention.start) is not None
        acting = (byline and not _recalls(text, layout.sentence(mention.start))) or (
            _about_this_event(text, mention.start, layout)
            and (
                _ACTING_BEFORE.search(text, window, mention.start) is not None
                or (
                    _INVITED_BEFORE.search(text, max(mention.start - 20, 0), mention.start) is not None
                    and _INVITED_AFTER.match(text, mention.end) is not None
                )
            )
        )
        draft = _Draft(
            name,
            mention.start,
            mention.end,
            participant=acting or (mention.start, mention.end) in quoted_here,
        )
        apposition = _apposition(text, mention.end, orgs)
        if apposition:
            draft.role, draft.organisation, role_span = apposition
            draft.role_spans.append(role_span)
        else:
            draft.role = _title_role(text, mention)
            affiliation = _AFFILIATION.match(text, mention.end)
            org = next((o for o in orgs if affiliation and o.start == affiliation.end()), None)
            draft.organisation = org.text if org else None
        _merge(drafts, draft)
    inside_roles = [span for d in drafts for span in d.role_spans]
    people = [
        d
        for d in drafts
        if (d.talk or len(d.name.split()) > 1 or d.role)
        and not (
            d.start is not None
            and d.end is not None
            and any(s <= d.start and d.end <= e for s, e in inside_roles)
        )
    ]
    return [
        Person(
            name=d.name, role=d.role, organisation=d.organisation, start=d.start, end=d.end,
            participant=d.participant,
        )
        for d in people
    ]  # fmt: skip


def _about_this_event(text: str, pos: int, layout: _Layout) -> bool:
    """Whether "chaired by X" at ``pos`` is about the document's own event: said at the top (a heading or
    the first two paragraphs), or in a sentence about "this" or "today's" event. Further down a speech,
    "the Commission, chaired by Kofi Annan" or "delivered by John F. Kennedy in 1963" describe something
    else."""
    start, end = layout.sentence(pos)
    return not _recalls(text, (start, end)) and (
        layout.is_heading(pos)
        or layout.body_rank(pos) < _OPENING_BLOCKS
        or _THIS_EVENT.search(text, start, max(end, pos)) is not None
    )


def _recalls(text: str, sentence: tuple[int, int]) -> bool:
    """Whether a sentence tells history: "In 1946, Carlos P. Romulo said", "an address given by
    Solzhenitsyn in 1978", "Recently we convened"."""
    return _HISTORY.search(text, *sentence) is not None or _RECALLED.search(text, *sentence) is not None


def _reported_speech(text: str, quote: Quote) -> bool:
    """Whether a quotation reports what its speaker said at the event, as news does ("“…,” said X",
    "X said: “…”"), rather than cite them ("as X said", "X insists that “…”", "he said that “…”").
    Only the first kind makes the speaker a participant."""
    if quote.speaker_start is None or quote.speaker_end is None:
        return False
    if quote.speaker_start >= quote.end:
        between = text[quote.end : quote.speaker_start]
        return len(between) <= 40 and _SAID_AFTER.fullmatch(between) is not None
    between = text[quote.speaker_end : quote.start]
    before = text[max(quote.speaker_start - 12, 0) : quote.speaker_start]
    return (
        len(between) <= 30
        and _SAID_BEFORE.fullmatch(between) is not None
        and _CITING_BEFORE.search(before) is None
    )


def _reports_others(document: Document, quotes: Sequence[Quote]) -> bool:
    """Whether the people a statement quotes took part in what it reports.

    A press release or news story reports an event in the third person, and the people it quotes spoke
    there. A speech (first person) quotes others as citations ("as Mandela said"), and a transcript's
    participants are its speakers, so quotations inside a turn name no one new."""
    if document.kind == "transcript" or not quotes:
        return False
    outside = document.text
    for q in sorted(quotes, key=lambda q: -q.start):
        outside = outside[: q.start] + outside[q.end :]
    lines = [line for line in re.split(r"(?<=[.!?])\s+", outside) if line.strip()]
    first_person = sum(1 for line in lines if _FIRST_PERSON.search(line))
    return first_person / max(len(lines), 1) < _SPEECH_SHARE


def _merge(drafts: list[_Draft], new: _Draft) -> None:
    """Fold a mention into the person it names (same name, or a part of a longer name)."""
    for draft in drafts:
        if _same_person(new.name, draft.name) or _same_person(draft.name, new.name):
            if len(new.name.split()) > len(draft.name.split()) and not draft.talk:
                draft.name, draft.start, draft.end = new.name, new.start, new.end
            if new.role is not None and (draft.role is None or (draft.titled and new.role_spans)):
                draft.role, draft.organisation, draft.titled = new.role, new.organisation, False
            draft.organisation = draft.organisation or new.organisation
            draft.role_spans.extend(new.role_spans)
            draft.participant = draft.participant or new.participant
            draft.talk += new.talk  # one person under two speaker labels
            return
    drafts.append(new)


def extract_facts(
    document: Document, doc: Doc, entities: list[Entity], quotes: Sequence[Quote] | None = None
) -> EventFacts:
    """What, when, where, organiser and people for a lede; each span slices ``document.text`` exactly.

    ``quotes`` are the document's :func:`extract_quotes`, when the caller has them already (found anew
    otherwise: it is a tenth of a document's analysis).

    ``date`` is the document's own date, else a full date parsed from ``when``. A transcript speaker never
    named in the text has no offsets. A ``doc`` made from other text raises
    ``ValueError`` (a caller's bug, not bad input).
    """
    text = document.text
    if doc.text != text:
        raise ValueError("the spaCy Doc was not made from this document's text")
    layout = _Layout(document, doc)
    statement = document.kind == "statement"
    event = _event(text, doc, entities, layout, statement=statement)
    found_quotes = extract_quotes(document, doc) if quotes is None else quotes
    people = _people(document, doc, entities, found_quotes, layout)
    dates = _date_spans(text, entities)
    when = _when(text, dates, event, layout)
    found = EventFacts(
        what=_span(text, event.start, event.end) if event else None,
        when=when,
        date=document.date or (find_date(when.text) if when else None),
        where=_where(text, doc, entities, event, layout, dates),
        organiser=_organiser(text, doc, entities, event, layout),
        people=people,
        speaker=_byline_speaker(text, people, layout) if statement else None,
    )
    return with_given(found, given(document.metadata))


def with_given(facts: EventFacts, user: Mapping[str, str]) -> EventFacts:
    """The facts with what the user gave as metadata: their speaker first, as a participant with the
    role they give, and their event and place kept beside the text's (drafts prefer the user's)."""
    if not user:
        return facts
    return facts.model_copy(
        update={
            "people": _with_given_speaker(facts.people, user),
            "given": dict(user),
            "speaker": user.get("speaker") or facts.speaker,
        }
    )


def _byline_speaker(text: str, people: Sequence[Person], layout: _Layout) -> str | None:
    """Who delivered a statement, in its own words near the top: "Keynote speech by Hon. X", "My name
    is X"; None when the text does not say."""
    for person in people:
        if person.start is None or not layout.is_early(person.start):
            continue
        if _BYLINE_BEFORE.search(text, max(person.start - 60, 0), person.start):
            return person.name
    return None


def _with_given_speaker(people: list[Person], facts: Mapping[str, str]) -> list[Person]:
    """The speaker the metadata names comes first, as a participant, with the role it gives."""
    name = facts.get("speaker")
    if not name:
        return people
    same = [p for p in people if _same_person(p.name, name) or _same_person(name, p.name)]
    role = facts.get("role") or next((p.role for p in same if p.role), None)
    if role and facts.get("country"):
        role = f"{role} of {facts['country']}"
    speaker = Person(
        name=name,
        role=role,
        organisation=facts.get("organisation")
        or next((p.organisation for p in same if p.organisation), None),
        start=same[0].start if same else None,
        end=same[0].end if same else None,
        participant=True,
    )
    return [speaker, *(p for p in people if p not in same)]
