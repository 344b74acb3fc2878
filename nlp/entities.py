"""Named entities with exact offsets, cleaned of the debris a small NER model leaves around names.

``en_core_web_sm`` often swallows a leading "the", a trailing possessive, a heading's colon or a line
break into an entity, and tags transcript markers such as ``{vocalsound}``. Downstream steps (ledes,
people, organisers) quote entities verbatim, so each one is trimmed to the name itself while keeping
``text == document.text[start:end]``. The title and role lexicons here are shared by quotes and facts.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from spacy.tokens import Doc, Token

from nlp.summary import Entity

LABELS = frozenset({"ORG", "PERSON", "GPE", "LOC", "DATE", "EVENT", "NORP", "FAC"})
"""The labels a lede or an analyst needs; numbers, money and works of art are left out."""

HONORIFICS = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "hon", "honourable", "honorable",
     "rev", "h.e", "excellency", "madam", "mme"}
)  # fmt: skip
"""Forms of address: part of how a name is written, never a role."""

ROLE_WORDS = frozenset(
    {"minister", "president", "vice-president", "secretary", "secretary-general", "director",
     "director-general", "ambassador", "commissioner", "chair", "chairman", "chairwoman", "chairperson",
     "senator", "governor", "mayor", "superintendent", "professor", "principal", "dean", "rector",
     "chancellor", "vice-chancellor", "head", "chief", "ceo", "cfo", "coo", "founder", "co-founder",
     "manager", "officer", "coordinator", "co-ordinator", "adviser", "advisor", "lecturer", "researcher",
     "teacher", "spokesperson", "spokesman", "spokeswoman", "representative", "councillor", "councilor",
     "trustee", "envoy", "rapporteur", "inspector", "administrator", "economist", "analyst", "specialist",
     "expert", "editor", "author", "consultant", "moderator", "panellist", "panelist", "facilitator",
     "lead", "leader", "deputy", "undersecretary", "under-secretary", "premier", "king", "queen",
     "prince", "princess", "sheikh", "judge", "justice", "member", "fellow", "partner", "executive",
     "official", "delegate", "parent", "student", "president-elect", "clerk", "convenor", "convener",
     "registrar", "treasurer", "headteacher", "headmaster", "headmistress", "counsellor",
     "engineer", "scientist", "doctor", "nurse", "governor-general", "designer"}
)  # fmt: skip
"""Nouns that make a phrase a role ("Director of ...", "head of ...", "programme director")."""

ROLE_MODIFIERS = frozenset(
    {"deputy", "vice", "prime", "executive", "acting", "assistant", "associate", "senior", "chief",
     "general", "regional", "national", "former", "interim", "managing", "founding", "permanent",
     "principal", "programme", "program", "country", "technical", "policy", "research", "finance",
     "financial", "education", "district", "state", "federal", "special", "lead", "head", "junior",
     "first", "second", "cabinet", "foreign", "shadow"}
)  # fmt: skip
"""Words that may open a role before its head noun ("Executive Director", "Prime Minister")."""

ORG_WORDS = frozenset(
    {"ministry", "department", "coalition", "association", "foundation", "university", "council",
     "agency", "office", "bank", "fund", "organisation", "organization", "union", "committee",
     "commission", "group", "institute", "network", "programme", "program", "board", "alliance",
     "partnership", "centre", "center", "college", "school", "trust", "society", "federation",
     "forum", "secretariat", "authority", "government", "parliament", "assembly", "unesco", "unicef",
     "initiative", "collaborative", "campaign", "company", "corporation", "inc", "ltd", "plc", "division",
     "bureau", "service", "services", "academy", "district", "unit", "team", "club", "consortium"}
)  # fmt: skip
"""Head nouns of organisation names: a capitalized run ending in one is an organisation, not a person."""

# Words of speaker labels that stand for a function or an anonymised participant, not a name: AMI's
# "Marketing", "User Interface", ICSI's "PhD F", "Grad B", "Postdoc A".
_LABEL_WORDS = frozenset(
    {"marketing", "sales", "industrial", "user", "interface", "project", "product", "phd", "grad",
     "postdoc", "undergrad", "speaker", "participant", "interviewer", "interviewee", "audience"}
)  # fmt: skip


def is_unnamed_label(label: str) -> bool:
    """A speaker label with no name in it: a role ("Chair", "Project Manager"), a function
    ("Marketing") or an anonymised code ("Professor B", "PhD F")."""
    words = _LEADING_ARTICLE.sub("", label).split()  # "The Chair"
    return 0 < len(words) <= 3 and all(
        (len(w) == 1 and w.isupper())
        or w.isdigit()
        or title_key(w) in ROLE_WORDS | ROLE_MODIFIERS | DEPARTMENT_WORDS | _LABEL_WORDS
        for w in words
    )


def split_speaker_label(label: str) -> tuple[str, str | None]:
    """A parliamentary speaker label as a name and the role it states: "Hon. Marc Garneau (Minister of
    Transport)" is Hon. Marc Garneau, Minister of Transport; "The Chair (Hon. Anthony Rota (Nipissing,
    Lib.))" is Hon. Anthony Rota, Chair; "Mr. Gord Johns (Courtenay, NDP)" gives a riding, not a role.
    Any other label is a name as it stands."""
    aside = _LABEL_ASIDE.match(label)
    if aside is None:
        return label, None
    outer, inner = aside["outer"].strip(), aside["inner"].strip()
    bare = _LEADING_ARTICLE.sub("", outer)
    if is_unnamed_label(bare):
        return split_speaker_label(inner)[0], bare
    words = [title_key(w) for w in inner.split()]
    head = next((w for w in words if w not in ROLE_MODIFIERS), "")
    return outer, inner if head in ROLE_WORDS else None


DISFLUENCY_MARKER = re.compile(r"\{\w+\}")
_FILLERS = frozenset(
    {"um", "umm", "uh", "erm", "er", "hmm", "hm", "mm", "mmm", "mm-hmm", "uh-huh", "mhm", "ah", "oh", "okay",
     "ok", "alright", "yeah", "yep", "yes", "no", "huh", "oops", "so", "well", "ooh", "aah", "wow"}
)  # fmt: skip
_REPEATS = 3
"""A name is never one word three times; "Sirhan Sirhan" (twice) is."""
_EDGE_JUNK = " \t\n\r\f\v\"'“”‘’«»„‹›,;:()[]{}|*•·/\\–—-_~…!?"
_LEADING_ARTICLE = re.compile(r"(?:the|The|THE)\s+(?!(?:Hague|Gambia|Bahamas)\b)")
_SENTENCE_OPENING = re.compile(r"(?:^\s*|[.!?:;\n\"“”«»(]\s*)$")
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
_HAS_WORD = re.compile(r"[^\W_]")
_LABEL_ASIDE = re.compile(r"(?P<outer>[^()]*\S)\s*\((?P<inner>.+)\)\s*")
_UNDATED_LABELS = frozenset({"DATE"})


def title_key(word: str) -> str:
    """A word as the title lexicons spell it: lower case, without a trailing full stop."""
    return word.lower().rstrip(".")


def trim_span(text: str, start: int, end: int, label: str) -> tuple[int, int] | None:
    """Offsets of the name inside ``text[start:end]``, or None when nothing name-like is left.

    Cuts at line breaks, heading colons and disfluency markers; strips edge punctuation, a leading
    "the" (not for dates: "the end of 2026" is the date) and a trailing possessive.
    """
    start, end = max(start, 0), min(end, len(text))
    if start >= end:
        return None
    for marker in DISFLUENCY_MARKER.finditer(text, max(start - 40, 0), min(end + 40, len(text))):
        if marker.start() <= start and end <= marker.end():
            return None
        if marker.start() < end and start < marker.end():
            before, after = (start, marker.start()), (marker.end(), end)
            start, end = before if _HAS_WORD.search(text, *before) else after
            if start >= end:
                return None
    newline = text.find("\n", start, end)
    if newline != -1:
        if _HAS_WORD.search(text, start, newline):
            end = newline
        else:
            start = newline
    colon = text.find(": ", start, end)
    if colon != -1 and _HAS_WORD.search(text, start, colon):
        end = colon
    previous = None
    while previous != (start, end) and start < end:
        previous = (start, end)
        while start < end and text[start] in _EDGE_JUNK:
            start += 1
        while end > start and text[end - 1] in _EDGE_JUNK:
            end -= 1
        possessive = _POSSESSIVE.search(text, start, end)
        if possessive and possessive.start() > start:
            end = possessive.start()
        article = _LEADING_ARTICLE.match(text, start, end)
        if (
            article
            and label not in _UNDATED_LABELS
            and article.end() < end
            and _article_is_not_name(text, start)
        ):
            start = article.end()
    if start >= end or not _HAS_WORD.search(text, start, end):
        return None
    return start, end


def _article_is_not_name(text: str, start: int) -> bool:
    """Lower-case "the" is never part of a name; "The" is, unless it only opens the sentence."""
    return text[start] == "t" or bool(_SENTENCE_OPENING.search(text, max(start - 5, 0), start))


def _is_noise(name: str, label: str) -> bool:
    """Transcript fillers the model mistakes for names ("Hmm", "Mm mm"), a word said over and over
    ("Ja ja ja ja"), and lower-case "names"."""
    words = [word.lower().strip(".,") for word in name.split()]
    if all(word in _FILLERS for word in words) or (len(words) >= _REPEATS and len(set(words)) == 1):
        return True
    cased = [ch for ch in name if ch.isupper() or ch.islower()]
    return label not in _UNDATED_LABELS and bool(cased) and not any(ch.isupper() for ch in cased)


def extract_entities(doc: Doc) -> list[Entity]:
    """Entities of the labels a lede needs, trimmed to the name, in text order, without duplicates."""
    text = doc.text
    seen: set[tuple[int, int, str]] = set()
    out: list[Entity] = []
    places, tagged = _recurring_places(doc), doc.has_annotation("TAG")
    for ent in doc.ents:
        if ent.label_ not in LABELS:
            continue
        span = trim_span(text, ent.start_char, ent.end_char, ent.label_)
        if span is not None and ent.label_ == "PERSON":
            span = _spoken_span(doc, span, tagged=tagged, places=places)
        if span is None or (*span, ent.label_) in seen or _is_noise(text[span[0] : span[1]], ent.label_):
            continue
        seen.add((*span, ent.label_))
        out.append(Entity(text=text[span[0] : span[1]], label=ent.label_, start=span[0], end=span[1]))
    out.sort(key=lambda e: (e.start, e.end))
    return out


PRONOUNS = frozenset({"he", "she", "they"})
FIRST_PERSON = frozenset({"i", "we"})
DEPARTMENT_WORDS = frozenset(
    {"education", "health", "finance", "foreign", "affairs", "interior", "justice", "defence", "defense",
     "labour", "labor", "trade", "environment", "agriculture", "culture", "science", "technology",
     "skills", "training", "development", "planning", "economy", "industry", "energy", "transport",
     "research", "youth", "sport", "sports", "women", "innovation", "employment", "welfare",
     "communications", "policy", "policies", "state", "higher", "primary", "secondary", "basic",
     "vocational", "national", "public", "social", "digital", "learning", "schools", "children",
     "lifelong", "systems", "international", "relations", "cooperation", "operations", "programmes"}
)  # fmt: skip
"""Words of a ministry's or division's name ("Minister of Education and Skills"), never of a person's."""

_CONNECTORS = frozenset({"of", "for", "and", "the", "&", "at", "on"})
_PARTICLES = frozenset(
    {"de", "da", "do", "dos", "das", "van", "von", "der", "den", "ter", "bin", "ibn", "al", "el", "la",
     "le", "du", "del", "di", "y", "ben", "bint", "abu"}
)  # fmt: skip
_HYPHENS = frozenset({"-", "‐", "‑"})
_ADVERBS = frozenset({"also", "later", "then", "again", "further", "simply", "once", "recently", "had"})
_NOT_PERSON = frozenset(
    {"GPE", "LOC", "DATE", "TIME", "NORP", "FAC", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY"}
)
_PLACE_OR_GROUP = frozenset({"GPE", "LOC", "NORP", "ORG", "FAC"})
_NAME_PARTICLES = frozenset(
    {"de", "da", "di", "del", "della", "dos", "das", "du", "van", "von", "der", "den", "ter", "ten", "le",
     "la", "al", "el", "bin", "ibn", "ap", "y"}
)  # fmt: skip
_NOT_IN_NAMES = frozenset({"i", "i'm", "i’m"})
_LEAD_IN_POS = frozenset({"INTJ", "ADV", "ADJ"})
_LEAD_INS = _FILLERS | {"sorry", "thanks", "hi", "hello", "hey", "cool", "great", "and", "but", "now"}
"""Fillers and words that open a turn, which the model, seeing them capitalized, takes for a first name."""
_PLACE_MENTIONS = 2
_VOWEL = re.compile(r"[aeiouy]", re.IGNORECASE)
STRONG_TITLES = HONORIFICS | {
    "minister", "president", "secretary", "director", "ambassador", "commissioner", "chair", "chairman",
    "chairwoman", "chairperson", "senator", "governor", "mayor", "superintendent", "professor",
    "principal", "dean", "rector", "chancellor", "premier", "king", "queen", "prince", "princess",
    "sheikh", "judge", "justice", "councillor", "councilor", "trustee", "envoy", "deputy", "headteacher",
    "vice-president", "secretary-general", "director-general", "general", "inspector",
}  # fmt: skip
"""Titles that make a lone surname a person ("Minister Costa"); "Member States" does not."""
_MAX_NAME_TOKENS = 4
_MAX_RUN = 16

MentionKind = Literal["name", "pronoun", "first_person", "title"]


@dataclass(frozen=True)
class Mention:
    """Who a stretch of text names: a person's name, a pronoun, or a bare title ("the Minister").

    ``start``/``end`` delimit the name (or the pronoun / title); ``title_start`` is where a title
    written before the name begins ("Minister of Education Ana Costa"), if there is one.
    """

    kind: MentionKind
    start: int
    end: int
    title_start: int | None = None


def is_title_word(word: str) -> bool:
    key = title_key(word)
    return key in HONORIFICS or key in ROLE_WORDS


def _is_capitalized(token: Token, tagged: bool) -> bool:
    word = token.text
    if not word[:1].isupper() or not any(ch.isalpha() for ch in word):
        return False
    return not tagged or token.pos_ in {"PROPN", "X"} or is_title_word(word)


def _name_start(run: list[Token]) -> int:
    """Index in ``run`` where the person's name begins, after titles and a ministry's or division's name."""
    i = 0
    titled = False
    while i < len(run):
        key = title_key(run[i].text)
        following = title_key(run[i + 1].text) if i + 1 < len(run) else ""
        if key in HONORIFICS or key in ROLE_WORDS:
            titled = True
        elif titled and run[i].text in _HYPHENS and i + 1 < len(run):  # "Secretary-General"
            i += 1
        elif not (key in ROLE_MODIFIERS and (following in ROLE_WORDS or following in ROLE_MODIFIERS)):
            break
        i += 1
    if not titled or i >= len(run) or title_key(run[i].text) not in _CONNECTORS:
        return i
    last_connector = max(j for j in range(i, len(run)) if title_key(run[j].text) in _CONNECTORS)
    tail = last_connector + 1
    while tail < len(run) and (
        title_key(run[tail].text) in DEPARTMENT_WORDS or title_key(run[tail].text) in ORG_WORDS
    ):
        tail += 1
    guessed = tail == last_connector + 1
    if guessed:  # "Director of Policies Ana Costa": keep a two-word name at most
        tail = max(tail, len(run) - 2) if len(run) - tail >= 3 else len(run)
    name = run[tail:]
    if (
        not name
        or run[tail - 1].text in _HYPHENS
        or title_key(name[0].text) in ROLE_WORDS
        or name[0].text in _HYPHENS
        or (guessed and any(t.ent_type_ in _PLACE_OR_GROUP for t in name))
    ):
        return len(run)  # "Ambassador of the United Arab Emirates", "Secretary-General": all title
    return tail


def _spoken_name(run: list[Token], *, tagged: bool, places: Collection[str] = ()) -> list[Token]:
    """The name in a PERSON span as transcripts tag it, without what speech wraps around it; empty when
    nothing name-like is left.

    Speech puts fillers and false starts inside the model's PERSON spans: "Um Dave Gelbart", "Sorry
    Heather", "Pet Peter", "Steve Renal - Steve Renals" (ICSI marks a cut-off with a spaced dash), and
    spans that are no name at all: "Th Okay", "Kay I'm", "Twelve Euros", "Yea - Nnn". So: keep what
    follows the last spaced dash, drop leading fillers and interjections, drop a word that the next
    words restart ("Pet" before "Peter"), and refuse the rest unless every word could be part of a name
    and it does not end in an organisation's head noun or in one of the document's ``places``
    ("Qualifications Wales", "Sport Wales" in a Welsh committee).
    """
    cut = [
        j
        for j in range(1, len(run) - 1)
        if run[j].text in _HYPHENS and run[j - 1].whitespace_ and run[j].whitespace_
    ]
    if cut:
        run = run[cut[-1] + 1 :]
    while run and (run[0].lower_ in _LEAD_INS or (tagged and run[0].pos_ in _LEAD_IN_POS)):
        run = run[1:]
    run = [
        t
        for i, t in enumerate(run)
        if not (t.is_alpha and any(u.lower_.startswith(t.lower_) and len(u) > len(t) for u in run[i + 1 :]))
    ]
    if not run or title_key(run[-1].text) in ORG_WORDS or (len(run) > 1 and run[-1].text in places):
        return []  # "Jesus College", "Qualifications Wales": the model's PERSON, an organisation
    return run if all(_could_be_in_a_name(t) for t in run) else []


def _recurring_places(doc: Doc) -> set[str]:
    """Places the document names at least twice: what it is about, not a surname."""
    counts = Counter(ent.text for ent in doc.ents if ent.label_ == "GPE")
    return {place for place, n in counts.items() if n >= _PLACE_MENTIONS}


def _spoken_span(
    doc: Doc, span: tuple[int, int], *, tagged: bool, places: Collection[str]
) -> tuple[int, int] | None:
    tokens = doc.char_span(*span, alignment_mode="expand")
    run = [t for t in tokens if not t.is_space] if tokens else []
    name = _spoken_name(run, tagged=tagged, places=places)
    return _bounds(name, span) if name else None


def _bounds(name: list[Token], span: tuple[int, int]) -> tuple[int, int]:
    """Where ``name`` starts and ends, kept inside ``span`` (tokens can reach past a trimmed edge)."""
    return max(name[0].idx, span[0]), min(name[-1].idx + len(name[-1].text), span[1])


def _could_be_in_a_name(token: Token) -> bool:
    word = token.text
    if word in _HYPHENS or word in {".", "'", "’"}:
        return True
    if token.lower_ in _FILLERS or token.lower_ in _NOT_IN_NAMES or token.like_num:
        return False
    if word[:1].islower() and token.lower_ not in _NAME_PARTICLES:
        return False
    letters = word.rstrip(".")  # "Jr.", "St."; the vowel test is for Latin script only ("Nnn", "Mmm")
    return len(letters) < 3 or not letters.isascii() or bool(_VOWEL.search(letters))


class NameFinder:
    """Finds who a stretch of one ``Doc`` names, with NER's PERSON spans first and capitalization second.

    The small English model misses many names (it tags "Nadia Haddad" as an organisation and "Ana Costa"
    as a place), so a run of proper nouns after a speech verb or a title counts as a name too, unless it
    reads like an organisation or lies wholly inside a place or date entity.
    """

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = doc.text
        self._starts = [t.idx for t in doc]
        self._tagged = doc.has_annotation("TAG")
        persons: list[tuple[int, int, int]] = []
        places = _recurring_places(doc)
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            span = trim_span(self.text, ent.start_char, ent.end_char, "PERSON")
            tokens = self.doc.char_span(*span, alignment_mode="expand") if span else None
            if span is None or tokens is None or _is_noise(self.text[span[0] : span[1]], "PERSON"):
                continue
            run = [t for t in tokens if not t.is_space]
            k = _name_start(run)
            name = _spoken_name(run[k:], tagged=self._tagged, places=places)
            if name:
                start, end = _bounds(name, span)
                persons.append((start, end, span[0] if k else start))
        self.persons: list[tuple[int, int, int]] = sorted(persons)
        """PERSON entities as (name start, name end, start including a leading title)."""
        self._person_starts = [p[0] for p in self.persons]

    def _token_at(self, pos: int) -> int:
        return bisect.bisect_left(self._starts, pos)

    def at(self, pos: int, limit: int, *, strict: bool = True) -> Mention | None:
        """The mention that starts at ``pos`` (after spaces), ending before ``limit``.

        ``strict=False`` trusts the context (a role apposition follows) over NER calling the words a place.
        """
        doc = self.doc
        i = self._token_at(pos)
        while i < len(doc) and doc[i].is_space and "\n" not in doc[i].text:
            i += 1
        if i >= len(doc) or doc[i].idx + len(doc[i].text) > limit or doc[i].is_space:
            return None
        low = doc[i].lower_
        if low in PRONOUNS or low in FIRST_PERSON:
            kind: MentionKind = "pronoun" if low in PRONOUNS else "first_person"
            return Mention(kind, doc[i].idx, doc[i].idx + len(doc[i].text))
        if low in {"the", "a", "an"}:
            i += 1
        return self._mention(self._run(i, limit), strict=strict)

    def before(self, floor: int, pos: int, *, strict: bool = True) -> Mention | None:
        """The subject written just before ``pos`` (a speech verb), not reaching back past ``floor``."""
        doc = self.doc
        i = self._token_at(pos) - 1
        skipped = 0
        while i >= 0 and (doc[i].is_space or (doc[i].lower_ in _ADVERBS or doc[i].pos_ == "ADV")):
            if "\n" in doc[i].text or skipped > 3:
                return None
            skipped += 1
            i -= 1
        if i < 0 or doc[i].idx < floor:
            return None
        low = doc[i].lower_
        if low in PRONOUNS or low in FIRST_PERSON:
            kind: MentionKind = "pronoun" if low in PRONOUNS else "first_person"
            return Mention(kind, doc[i].idx, doc[i].idx + len(doc[i].text))
        j = i
        while j > 0 and i - j < _MAX_RUN and doc[j - 1].idx >= floor and self._may_continue(doc[j - 1]):
            j -= 1
        return self.at(doc[j].idx, doc[i].idx + len(doc[i].text), strict=strict)

    def person_in(self, start: int, end: int, *, last: bool = False) -> Mention | None:
        """The first (or last) PERSON entity wholly inside ``[start, end)``."""
        lo, hi = bisect.bisect_left(self._person_starts, start), bisect.bisect_left(self._person_starts, end)
        inside = [p for p in self.persons[lo:hi] if start <= p[2] and p[1] <= end]
        if not inside:
            return None
        s, e, t = inside[-1] if last else inside[0]
        return Mention("name", s, e, t if t < s else None)

    def title_before(self, pos: int) -> int | None:
        """Start of a title written right before ``pos`` ("Minister of Education " before a name)."""
        doc = self.doc
        j = self._token_at(pos)
        i = j - 1
        if i < 0 or doc[i].is_space or title_key(doc[i].text) in _CONNECTORS:
            return None
        while i >= 0 and j - i <= _MAX_RUN and self._may_continue(doc[i]):
            i -= 1
        for k in range(i + 1, j):
            key = title_key(doc[k].text)
            if key in ROLE_WORDS or key in ROLE_MODIFIERS or key in HONORIFICS:
                return int(doc[k].idx)
        return None

    def last_name_before(self, pos: int, *, reach: int = 3000) -> Mention | None:
        """The closest person named before ``pos``: a PERSON entity, or a titled or two-word name."""
        floor = max(pos - reach, 0)
        entity = self.person_in(floor, pos, last=True)
        doc = self.doc
        i = self._token_at(pos) - 1
        while i >= 0 and doc[i].idx >= floor and (entity is None or doc[i].idx >= entity.end):
            token = doc[i]
            if (
                not token.is_space
                and (i == 0 or not self._may_continue(doc[i - 1]))
                and self._may_continue(token)
            ):
                mention = self.at(token.idx, pos)
                if mention is not None and mention.kind == "name":
                    return mention
            i -= 1
        return entity

    def _may_continue(self, token: Token) -> bool:
        """Whether ``token`` can belong to a name run read backwards from a speech verb."""
        if token.is_space:
            return False
        key = title_key(token.text)
        return (
            _is_capitalized(token, self._tagged)
            or key in ROLE_WORDS
            or key in HONORIFICS
            or key in ROLE_MODIFIERS
            or key in _CONNECTORS
            or key in _PARTICLES
            or token.text in _HYPHENS
        )

    def _run(self, i: int, limit: int) -> list[Token]:
        """Consecutive tokens from ``i`` that can form "Title of Department Given Family"."""
        doc = self.doc
        run: list[Token] = []
        titled = named = False
        while i < len(doc) and len(run) < _MAX_RUN:
            token = doc[i]
            if token.is_space or token.idx + len(token.text) > limit:
                break
            key = title_key(token.text)
            nxt = doc[i + 1] if i + 1 < len(doc) else None
            nxt_cap = nxt is not None and _is_capitalized(nxt, self._tagged)
            if not named and (key in HONORIFICS or key in ROLE_WORDS):
                titled = True
            elif (
                not named
                and key in ROLE_MODIFIERS
                and nxt is not None
                and (title_key(nxt.text) in ROLE_WORDS or title_key(nxt.text) in ROLE_MODIFIERS)
            ):
                pass
            elif _is_capitalized(token, self._tagged):
                named = named or key not in DEPARTMENT_WORDS
            elif run and key in _PARTICLES and nxt_cap:
                pass
            elif run and token.text in _HYPHENS and run[-1].whitespace_ == "" and token.whitespace_ == "":
                if not nxt_cap:
                    break
            elif (
                titled
                and not named
                and run
                and key in _CONNECTORS
                and nxt is not None
                and (nxt_cap or (nxt.lower_ == "the" and i + 2 < len(doc) and doc[i + 2].text[:1].isupper()))
            ):
                pass
            else:
                break
            run.append(token)
            if (
                token.whitespace_ == ""
                and nxt is not None
                and nxt.text not in _HYPHENS
                and token.text not in _HYPHENS
            ):
                break
            i += 1
        while run and (title_key(run[-1].text) in _CONNECTORS or run[-1].text in _HYPHENS):
            run.pop()
        return run

    def _mention(self, run: list[Token], *, strict: bool = True) -> Mention | None:
        if not run:
            return None
        start, end = run[0].idx, run[-1].idx + len(run[-1].text)
        lo, hi = bisect.bisect_left(self._person_starts, start), bisect.bisect_left(self._person_starts, end)
        for p_start, p_end, _ in self.persons[lo:hi]:
            if p_start < end and start < p_end:
                return Mention("name", p_start, min(p_end, end), start if start < p_start else None)
        k = _name_start(run)
        titled = k > 0
        name = run[k:]
        if not titled and strict:
            while name and name[0].ent_type_ in _NOT_PERSON:
                name = name[1:]
        words = [t for t in name if t.text not in _HYPHENS and title_key(t.text) not in _PARTICLES]
        if not words:
            return Mention("title", start, end) if titled else None
        last = title_key(words[-1].text)
        if last in ROLE_WORDS:
            return Mention("title", start, end)
        if len(words) > _MAX_NAME_TOKENS or last in ORG_WORDS or last in DEPARTMENT_WORDS:
            return None
        if not titled and (len(words) < 2 or (strict and all(t.ent_type_ in _NOT_PERSON for t in words))):
            return None
        lone = len(words) == 1 and words[0].ent_type_ != "PERSON"
        if titled and lone and title_key(run[k - 1].text) not in STRONG_TITLES:
            return None  # "Member States", "Partner Countries"
        return Mention("name", name[0].idx, name[-1].idx + len(name[-1].text), start if titled else None)
