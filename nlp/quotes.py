"""Direct quotations and who said them, with offsets that slice the document exactly.

A reporter's draft quotes people verbatim, so a quote is only useful with its speaker and only safe if
``document.text[q.start:q.end] == q.text``. Quote marks are paired paragraph by paragraph (straight marks
by the spaces around them, curly and guillemet marks by shape); an English multi-paragraph quote reopens
at each paragraph and closes once. Attribution is read from the few words after the closing mark
(``"...," said X``, ``"..." X said.``, ``"..." – X``, ``according to X``) or before the opening one
(``X said: "..."``, ``According to X, "..."``); pronouns and bare titles ("she said", "the Minister
added") resolve to the most recent named speaker. Odd input (unbalanced marks, no letters, huge
paragraphs) is skipped, never raised.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from spacy.tokens import Doc

from nlp.document import Document
from nlp.entities import Mention, NameFinder, title_key
from nlp.summary import Quote

_MARKS = re.compile(r"[\"“”„«»]")
_LINES = re.compile(r"[^\n]*\S[^\n]*")
_CLOSERS = {'"': '"”', "“": "”\"", "”": "”", "„": "“”\"", "«": "»"}  # fmt: skip
_REOPENERS = {'"': '"“', "“": "“\"", "”": "”", "„": "„", "«": "«"}  # fmt: skip
_OPEN_CONTEXT = "([{/:;–—-" + "\"“”„«»'‘’"
_CLOSE_CONTEXT = ".,;:!?)]}…–—-" + "\"“”„«»'‘’"

_SAY = (
    r"said|says|say|added|adds|stated|states|told|tells|noted|notes|explained|explains|stressed|stresses|"
    r"emphasi[sz]ed|emphasi[sz]es|warned|warns|argued|argues|asked|asks|declared|declares|remarked|"
    r"remarks|commented|comments|continued|continues|concluded|concludes|insisted|insists|observed|"
    r"observes|recalled|recalls|underlined|underlines|underscored|underscores|highlighted|highlights|"
    r"announced|announces|urged|urges|replied|replies|responded|responds|wrote|writes|acknowledged|"
    r"acknowledges|admitted|admits|affirmed|affirms|claimed|claims|confirmed|confirms|reflected|"
    r"reflects|cautioned|cautions|pointed out|points out|went on|goes on|recounted|recounts|reiterated|"
    r"reiterates|maintained|maintains|promised|promises|pledged|pledges|vowed|vows|shared|shares|"
    r"answered|answers|exclaimed|whispered|shouted|joked|jokes|quipped|saying|adding|noting|stressing|"
    r"warning|arguing|insisting|explaining|declaring|stating|writing|telling|asking|recalling"
)
_VERB = rf"(?i:{_SAY})"
_ABBREVIATED = r"(?:Dr|Mr|Mrs|Ms|Prof|Hon|Rev|St|Jr|Sr|Gen|Col|Capt|Sen|Rep|Gov|[A-Z])\."
_CLAUSE_CHAR = r"[^\n\"“”«»„.!?;]"

_AFTER_DASH = re.compile(r"\s*[,.;]?\s*(?:--|[–—―]|-(?=\s))\s*")
_AFTER_VERB_FIRST = re.compile(rf"\s*[,;.]?\s*{_VERB}\b\s*")
_AFTER_ACCORDING = re.compile(r"\s*[,;]?\s*(?i:according\s+to)\s+")
_AFTER_SUBJECT_VERB = re.compile(
    rf"\s*[,;]?\s*(?P<subj>(?:{_ABBREVIATED}|{_CLAUSE_CHAR}){{1,160}}?)\s+"
    rf"(?:(?i:also|later|then|again|further|simply|\w+ly)\s+)?(?P<verb>{_VERB})\b(?P<tail>[^\n]{{0,200}})"
)
_BEFORE_VERB = re.compile(rf"\b(?P<verb>{_VERB})\b(?P<mid>[^\n\"“”«».!?;]{{0,60}}?)(?:\s*[:,]|\s+that)?\s*$")
_BEFORE_ACCORDING = re.compile(r"(?i:according\s+to)\s+(?P<who>[^\n\"“”«»!?;]{1,150}?)\s*,\s*$")
_BEFORE_COLON = re.compile(rf"(?P<who>(?:{_ABBREVIATED}|[^\n\"“”«».!?:;,]){{2,80}}?)\s*:\s*$")
_FIRST_PERSON_SUBJECT = re.compile(r"\b(?:I|[Ww]e)\b")
_SENTENCE_BREAK = re.compile(r"[.!?…][\"'”’»)]*\s+")
_NOT_SENTENCE_END = frozenset({"dr", "mr", "mrs", "ms", "prof", "hon", "rev", "st", "jr", "sr", "no", "vs"})
_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
_MIN_UNATTRIBUTED_WORDS = 4
_MAX_BARE_SUBJECT_WORDS = 6
_BARE_SUBJECT = re.compile(r"(?i:the|a|an|our|their|its|his|her)\s+[\w'’ -]{1,40}")
_MAX_TAIL_WORDS = 5
_TAIL_OPENERS = frozenset(
    {"", "on", "in", "at", "during", "after", "before", "yesterday", "today", "tonight", "last", "this",
     "earlier", "later", "when", "while", "as", "to", "from", "of", "with"}
)  # fmt: skip
_MAX_SUBJECT_WORDS = 14
_WINDOW = 300


@dataclass(frozen=True)
class _Marked:
    """A stretch between quote marks: ``close`` is None when it runs to the end of a paragraph."""

    open: int
    close: int | None
    first: int
    last: int


@dataclass(frozen=True)
class _Attribution:
    mention: Mention | None
    explicit: bool
    intro: bool = False


@dataclass(frozen=True)
class _Speaker:
    name: str
    start: int | None
    end: int | None
    title: str


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _LINES.finditer(text)]


def _can_open(text: str, k: int, start: int, end: int) -> bool:
    mark = text[k]
    right = k + 1 < end and not text[k + 1].isspace()
    if mark in "“„«":
        return k + 1 < end
    left_open = k == start or text[k - 1].isspace() or text[k - 1] in _OPEN_CONTEXT
    if mark == "”":  # Scandinavian style opens with the same mark it closes with
        return left_open and right
    if mark != '"' or not right:
        return False
    return left_open or text[k + 1] not in _CLOSE_CONTEXT


def _looks_closing(text: str, k: int, start: int, end: int) -> bool:
    left = k > start and not text[k - 1].isspace()
    return left and (k + 1 >= end or text[k + 1].isspace() or text[k + 1] in _CLOSE_CONTEXT)


def _looks_opening(text: str, k: int, start: int, end: int) -> bool:
    left = k == start or text[k - 1].isspace() or text[k - 1] in _OPEN_CONTEXT
    return left and k + 1 < end and not text[k + 1].isspace()


def _pair_marks(text: str, paragraphs: list[tuple[int, int]]) -> list[_Marked]:
    """Pair quote marks; an unclosed quote continues only into a paragraph that reopens it."""
    out: list[_Marked] = []
    open_at, mark, first = -1, "", -1
    for index, (p_start, p_end) in enumerate(paragraphs):
        pos = p_start
        if open_at >= 0:
            lead = p_start
            while lead < p_end and text[lead].isspace():
                lead += 1
            if lead < p_end and text[lead] in _REOPENERS[mark]:
                pos = lead + 1
            else:
                out.append(_Marked(open_at, None, first, index - 1))
                open_at = -1
        for found in _MARKS.finditer(text, pos, p_end):
            k, char = found.start(), found.group()
            if open_at < 0:
                if _can_open(text, k, p_start, p_end):
                    open_at, mark, first = k, char, index
                continue
            straight = char == '"'
            if char in _CLOSERS[mark] and not straight:
                closes = True
            elif straight and mark == '"':
                closes = not (
                    _looks_opening(text, k, p_start, p_end) and not _looks_closing(text, k, p_start, p_end)
                )
            elif straight and mark in "“„”":
                closes = _looks_closing(text, k, p_start, p_end)
            else:
                closes = False
            if closes:
                out.append(_Marked(open_at, k, first, index))
                open_at = -1
            elif (
                (char in "“„«" or straight)
                and _can_open(text, k, p_start, p_end)
                and (not straight or mark == '"')
            ):
                open_at, mark, first = k, char, index  # the earlier mark was never closed: drop it
    if open_at >= 0:
        out.append(_Marked(open_at, None, first, len(paragraphs) - 1))
    return out


def _content(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The quoted words: no surrounding spaces, no trailing comma that belongs to the attribution."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    if start >= end or not _WORD.search(text, start, end):
        return None
    return start, end


def _clause_start(text: str, lo: int, hi: int) -> int:
    """Start of the sentence holding ``hi``, not before ``lo`` (titles like "Dr." do not end one)."""
    start = lo
    for m in _SENTENCE_BREAK.finditer(text, lo, hi):
        word = text[max(lo, m.start() - 5) : m.start()].split()
        last = word[-1] if word else ""
        if title_key(last) in _NOT_SENTENCE_END or (len(last) == 1 and last.isupper()):
            continue
        start = m.end()
    return start


def _short_tail(tail: str) -> bool:
    """After a full-stop quote, "X said." or "X said on Monday." attributes it; "X said the plan ..."
    starts a new sentence about something else."""
    words = re.split(r"[.!?]", tail, maxsplit=1)[0].split()
    return not words or (len(words) <= _MAX_TAIL_WORDS and words[0].lower().strip(",") in _TAIL_OPENERS)


class _Attributor:
    def __init__(self, text: str, finder: NameFinder) -> None:
        self.text = text
        self.finder = finder

    def after(self, close: int, limit: int, ends_sentence: bool) -> _Attribution | None:
        """Attribution written after the closing mark, up to ``limit``."""
        text, find = self.text, self.finder
        pos = close + 1
        dash = _AFTER_DASH.match(text, pos, limit)
        if dash:
            mention = find.at(dash.end(), limit)
            if mention is not None and mention.kind == "name":
                return _Attribution(mention, explicit=True)
        verb_first = _AFTER_VERB_FIRST.match(text, pos, limit)
        if verb_first:
            return _Attribution(find.at(verb_first.end(), limit), explicit=True)
        according = _AFTER_ACCORDING.match(text, pos, limit)
        if according:
            return _Attribution(find.at(according.end(), limit), explicit=True)
        subject_verb = _AFTER_SUBJECT_VERB.match(text, pos, limit)
        if subject_verb is None or len(subject_verb["subj"].split()) > _MAX_SUBJECT_WORDS:
            return None
        if ends_sentence and not _short_tail(subject_verb["tail"]):
            return None
        s_start, s_end = subject_verb.span("subj")
        mention = find.at(s_start, s_end)
        if mention is None and len(subject_verb["subj"].split()) <= _MAX_BARE_SUBJECT_WORDS:
            mention = find.person_in(s_start, s_end) or find.before(s_start, subject_verb.start("verb"))
        if mention is None and not _BARE_SUBJECT.fullmatch(subject_verb["subj"]):
            return None  # "... that I did last year, and the teacher said": a new clause, not an attribution
        return _Attribution(mention, explicit=True)

    def before(self, floor: int, open_at: int) -> _Attribution | None:
        """Attribution written before the opening mark, from ``floor``."""
        text, find = self.text, self.finder
        intro = _BEFORE_VERB.search(text, floor, open_at)
        if intro and (not intro["mid"].strip() or len(intro["mid"].split()) <= _MAX_TAIL_WORDS):
            tail = text[intro.start("mid") : open_at].rstrip()
            if not intro["mid"].strip() or tail.endswith((":", ",")) or tail.endswith("that"):
                verb = intro.start("verb")
                clause = _clause_start(text, floor, verb)
                at_start = find.at(clause, verb)
                mention = find.person_in(clause, verb, last=True)
                if mention is None and at_start is not None and at_start.kind == "name":
                    mention = at_start
                mention = mention or find.before(clause, verb) or at_start
                if _FIRST_PERSON_SUBJECT.search(text, mention.end if mention else clause, verb):
                    mention = None  # "I heard President Erdogan ..., and I want to say to him: “…”"
                return _Attribution(mention, explicit=True, intro=True)
        according = _BEFORE_ACCORDING.search(text, floor, open_at)
        if according:
            who = find.at(according.start("who"), according.end("who"))
            return _Attribution(who, explicit=True, intro=True)
        colon = _BEFORE_COLON.search(text, _clause_start(text, floor, open_at), open_at)
        if colon:
            who = find.at(colon.start("who"), colon.end("who"))
            if who is not None and who.kind == "name" and who.end == colon.end("who"):
                return _Attribution(who, explicit=True, intro=True)
        return None


def _looks_like_title(text: str) -> bool:
    """A report or event name in quotes ("Every Child Counted: Inclusion and Data") is not speech."""
    words: list[str] = [w for w in _WORD.findall(text) if _LETTER.search(w) and len(w) > 3]
    if not words or text.rstrip()[-1:] in ".!?":
        return False
    return sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def extract_quotes(document: Document, doc: Doc) -> list[Quote]:
    """Direct quotations with their speakers; ``document.text[q.start:q.end] == q.text`` for each.

    Unattributed quotes of fewer than four words are scare quotes and are left out. In transcripts a
    quote nobody else is credited with belongs to the turn's speaker. A ``doc`` made from other text is
    a caller's bug, not bad input, and raises ``ValueError``.
    """
    text = document.text
    if doc.text != text:
        raise ValueError("the spaCy Doc was not made from this document's text")
    paragraphs = _paragraphs(text)
    marked = _pair_marks(text, paragraphs)
    attributor = _Attributor(text, NameFinder(doc))
    turn_starts = [s.start for s in document.segments]
    quotes: list[Quote] = []
    speakers: list[_Speaker] = []  # the named speaker of each quote so far, for pronouns
    previous: tuple[_Marked, _Speaker | None] | None = None
    for index, mark in enumerate(marked):
        end_mark = mark.close if mark.close is not None else paragraphs[mark.last][1]
        content = _content(text, mark.open + 1, end_mark)
        if content is None:
            continue
        start, end = content
        p_start = paragraphs[mark.first][0]
        prev_in_par = (
            index > 0 and marked[index - 1].last == mark.first and marked[index - 1].close is not None
        )
        floor = max(p_start, mark.open - _WINDOW, (marked[index - 1].close or 0) + 1 if prev_in_par else 0)
        attribution = None
        if mark.close is not None:
            following = marked[index + 1].open if index + 1 < len(marked) else len(text)
            limit = min(paragraphs[mark.last][1], following, mark.close + 1 + _WINDOW)
            attribution = attributor.after(mark.close, limit, text[end - 1] in ".!?…")
        intro = attributor.before(floor, mark.open)
        if intro is not None and (attribution is None or attribution.mention is None):
            attribution = intro
        if mark.close is None and mark.first == mark.last and (intro is None or attribution is not intro):
            continue  # an unbalanced mark with nobody introducing a quote: not a quote
        explicit = attribution is not None and attribution.explicit
        credited = attribution is not None and attribution.mention is not None
        quoted = text[start:end]
        short = len(_WORD.findall(quoted)) < _MIN_UNATTRIBUTED_WORDS
        if (short and not credited) or (not explicit and _looks_like_title(quoted)):
            continue
        speaker = _resolve(text, attribution, mark.open, speakers, attributor.finder)
        if speaker is None and not explicit:
            speaker = _inherit(text, mark, previous, paragraphs)
        if speaker is None and document.kind == "transcript" and _is_own_words(attribution):
            segment_index = bisect.bisect_right(turn_starts, mark.open) - 1
            if segment_index >= 0 and document.segments[segment_index].speaker:
                speaker = _Speaker(document.segments[segment_index].speaker or "", None, None, "")
        if speaker is not None and speaker.start is not None:
            speakers.append(speaker)
        previous = (mark, speaker)
        quotes.append(
            Quote(
                text=quoted,
                start=start,
                end=end,
                speaker=speaker.name if speaker else None,
                speaker_start=speaker.start if speaker else None,
                speaker_end=speaker.end if speaker else None,
            )
        )
    return quotes


def _is_own_words(attribution: _Attribution | None) -> bool:
    return attribution is None or (
        attribution.mention is not None and attribution.mention.kind == "first_person"
    )


def _resolve(
    text: str, attribution: _Attribution | None, pos: int, speakers: list[_Speaker], finder: NameFinder
) -> _Speaker | None:
    """The named speaker a mention refers to: the name itself, or the antecedent of a pronoun or title."""
    if attribution is None or attribution.mention is None:
        return None
    mention = attribution.mention
    if mention.kind == "name":
        title = text[mention.title_start : mention.start] if mention.title_start is not None else ""
        return _Speaker(text[mention.start : mention.end], mention.start, mention.end, title)
    if mention.kind == "first_person":
        return None
    if mention.kind == "title":  # "the Minister added": the last speaker introduced with that title
        words = text[mention.start : mention.end].replace("-", " ").split()
        word = title_key(words[-1]) if words else ""
        return next((s for s in reversed(speakers) if word and word in s.title.lower()), None)
    if speakers:
        return speakers[-1]
    named = finder.last_name_before(pos)
    if named is None:
        return None
    title = text[named.title_start : named.start] if named.title_start is not None else ""
    return _Speaker(text[named.start : named.end], named.start, named.end, title)


def _inherit(
    text: str,
    mark: _Marked,
    previous: tuple[_Marked, _Speaker | None] | None,
    paragraphs: list[tuple[int, int]],
) -> _Speaker | None:
    """An unattributed quote continues the previous speaker in the same paragraph, or in the next
    paragraph when that paragraph is nothing but the quote."""
    if previous is None or previous[1] is None:
        return None
    before, speaker = previous
    if before.last == mark.first:
        return speaker
    p_start = paragraphs[mark.first][0]
    only_quote = not text[p_start : mark.open].strip() and (
        mark.close is None or not _LETTER.search(text, mark.close + 1, paragraphs[mark.last][1])
    )
    return speaker if before.last == mark.first - 1 and only_quote else None
