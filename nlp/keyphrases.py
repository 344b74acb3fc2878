"""Key phrases per sentence, ranked per group of sentences (a theme, a takeaway, a whole document).

Phrases come from part-of-speech patterns, not from the dependency parser, because the shared pipeline
excludes the parser for speed: a phrase is a run of ``(ADJ|NOUN|PROPN)*`` ending in a noun, optionally
joined to a second run by a bare "of" ("capacities of teachers"). Hyphenated compounds ("low-income",
"whole-of-government") count as one word. Edges are trimmed of stop words, numbers and vague adjectives,
and phrases made only of generic nouns ("thing", "lot", "people") are dropped, so what is left names a
subject a reader would recognise.

Ranking is class-based TF-IDF over groups of sentences, so a theme's phrases are the ones that set it
apart from the other groups, with co-occurrence centrality (TextRank's graph, by weighted degree) to
break the many ties that short groups produce.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from spacy.tokens import Doc, Token

__all__ = ["GENERIC_NOUNS", "phrase_candidates", "rank_keyphrases"]

GENERIC_NOUNS = frozenset({
    "thing", "lot", "way", "people", "today", "year", "time", "bit", "kind", "sort", "stuff", "something",
    "anything", "everything", "nothing", "one", "point", "fact", "case", "place", "day", "week", "month",
    "number", "part", "term", "side", "example", "course", "matter", "sense", "end", "moment", "minute",
    "morning", "afternoon", "evening", "tonight", "tomorrow", "yesterday", "guy", "folk", "person",
    "percent", "cent", "area", "level", "aspect", "hand", "question", "idea", "issue", "item", "word",
    "look", "type", "couple", "piece", "deal", "amount", "rest", "half", "bunch", "lady", "gentleman",
    "work", "need", "role", "stage", "future", "world", "discussion", "conversation", "reflection",
    "takeaway", "meeting", "lots", "guys", "folks", "ones", "times", "years", "days", "ways", "things",
})  # fmt: skip
# Nouns that only quantify what follows "of": "a lot of teachers" is about teachers.
_QUANTIFIERS = frozenset({
    "lot", "kind", "sort", "type", "bit", "number", "couple", "range", "variety", "series", "part", "amount",
    "majority", "rest", "deal", "piece", "half", "percent", "cent", "bunch", "set", "group", "lack", "use",
})  # fmt: skip
# Adjectives that grade rather than name ("key", "biggest"): stripped at the start of a phrase.
_VAGUE_ADJECTIVES = frozenset({
    "key", "major", "significant", "important", "clear", "big", "great", "good", "real", "certain",
    "particular", "specific", "various", "different", "main", "little", "huge", "entire", "overall", "past",
    "next", "last", "further", "such", "other", "much", "many", "more", "most", "less", "least", "few",
    "same", "own", "whole", "several", "previous", "current", "recent", "initial", "final", "actual",
    "general", "basic", "possible", "able", "sure", "right", "wrong", "bad", "nice", "fine",
})  # fmt: skip
_FILLERS = frozenset({
    "um", "umm", "uh", "uhh", "erm", "er", "hmm", "mm", "mmm", "mhm", "ah", "oh", "yeah", "yep", "okay",
    "ok", "uh-huh", "mm-hmm", "eh", "huh", "hm",
})  # fmt: skip
_MARKER = re.compile(r"\{\w+\}")
_WORD = re.compile(r"^[\w.'’-]+$")
_PHRASE_POS = frozenset({"ADJ", "NOUN", "PROPN"})
_HEAD_POS = frozenset({"NOUN", "PROPN"})
_MAX_WORDS = 5
_MULTIWORD_BOOST = 0.15
_SPECIFIC_RATIO = 0.5


@dataclass(frozen=True)
class _Unit:
    """One word for phrase purposes: a token, or a hyphenated compound of several tokens."""

    text: str
    key: str
    pos: str
    stop: bool
    number: bool
    generic: bool
    breaker: bool
    of: bool


def phrase_candidates(doc: Doc, spans: list[tuple[int, int]]) -> list[list[str]]:
    """Candidate key phrases of each character span of ``doc`` (one list per span, in order).

    Variants that share a lemmatised, lower-cased form ("data gap" / "data gaps") are reported under
    one readable surface form, the most frequent in the call, so callers can match phrases as strings.
    """
    length = len(doc.text)  # Doc.text is rebuilt on every access: read it once
    marked = _marked_tokens(doc)
    per_span: list[list[tuple[tuple[str, ...], str]]] = []
    surfaces: dict[tuple[str, ...], Counter[str]] = {}
    for start, end in spans:
        start, end = max(start, 0), min(end, length)
        span = doc.char_span(start, end, alignment_mode="expand") if start < end else None
        found = _phrases(_units(span, marked)) if span is not None else []
        per_span.append(found)
        for key, surface in found:
            surfaces.setdefault(key, Counter())[surface] += 1
    readable = {key: _readable(counts) for key, counts in surfaces.items()}
    return [list(dict.fromkeys(readable[key] for key, _ in found)) for found in per_span]


def _readable(counts: Counter[str]) -> str:
    """The most frequent surface form; among equals the least capitalised, then the first seen."""
    order = {surface: i for i, surface in enumerate(counts)}
    return min(counts, key=lambda x: (-counts[x], sum(ch.isupper() for ch in x), order[x]))


def _marked_tokens(doc: Doc) -> frozenset[int]:
    """Indices of tokens inside transcript markers such as "{disfmarker}" or "{vocalsound}"."""
    marked: set[int] = set()
    for match in _MARKER.finditer(doc.text):
        span = doc.char_span(*match.span(), alignment_mode="expand")
        if span is not None:
            marked.update(range(span.start, span.end))
    return frozenset(marked)


def _units(tokens: Iterable[Token], marked: frozenset[int]) -> list[_Unit]:
    """Group tokens into words, merging hyphen-joined tokens and marking the ones that end a phrase."""
    groups: list[list[Token]] = []
    for token in tokens:
        previous = groups[-1][-1] if groups else None
        if previous is not None and not previous.whitespace_ and "-" in (token.text, previous.text):
            groups[-1].append(token)
        else:
            groups.append([token])
    units: list[_Unit] = []
    opening = True
    for group in groups:
        # A leading or trailing hyphen ("multi -", "- and") is punctuation, not part of a compound.
        head = [group[0]] if group[0].text == "-" and len(group) > 1 else []
        tail = [group[-1]] if group[-1].text == "-" and len(group) > len(head) + 1 else []
        for part in (head, group[len(head) : len(group) - len(tail)], tail):
            if part:
                # The first word of a sentence is capitalised whatever it is; unless it is a named entity,
                # a title-case first word tagged PROPN ("Digital technology holds ...") is a common word.
                first = opening and any(t.is_alpha for t in part)
                opening = opening and not first
                units.append(_unit(part, marked, sentence_initial=first))
    return units


def _unit(tokens: list[Token], marked: frozenset[int], *, sentence_initial: bool) -> _Unit:
    last = tokens[-1]
    text = "".join(t.text + (t.whitespace_ if t is not last else "") for t in tokens)
    lower = text.lower()
    key = "".join(t.lemma_.lower() if t.text != "-" else "-" for t in tokens)
    in_marker = any(t.i in marked for t in tokens)
    alphabetic = sum(ch.isalpha() for ch in text) > 1 and all(_WORD.match(t.text) for t in tokens)
    single = len(tokens) == 1
    common = last.pos_ != "PROPN" or (sentence_initial and not last.ent_type_)
    if single and common and text.istitle():
        text = lower  # a capital only because it starts the sentence; keep "EdTech", "UNESCO", names
    lemma = last.lemma_.lower()
    vague = last.pos_ == "ADJ" and (lower in _VAGUE_ADJECTIVES or lemma in _VAGUE_ADJECTIVES)
    return _Unit(
        text=text,
        key=key,
        pos=last.pos_,
        stop=single and (last.is_stop or vague),
        number=all(t.like_num or t.text == "-" for t in tokens),
        generic=single and (lemma in GENERIC_NOUNS or lower in GENERIC_NOUNS),
        breaker=in_marker or not alphabetic or lower in _FILLERS or last.pos_ not in _PHRASE_POS,
        of=single and lower == "of",
    )


def _phrases(units: list[_Unit]) -> list[tuple[tuple[str, ...], str]]:
    """Phrases as (matching key, surface) from maximal runs of phrase words, with "A of B" joins."""
    runs: list[tuple[int, int]] = []  # trimmed [start, end) unit ranges
    i = 0
    while i < len(units):
        if units[i].breaker:
            i += 1
            continue
        j = i
        while j < len(units) and not units[j].breaker:
            j += 1
        trimmed = _trim(units, i, j)
        if trimmed is not None:
            runs.append(trimmed)
        i = j
    out: list[tuple[tuple[str, ...], str]] = []
    joined_heads: set[int] = set()
    for (a_start, a_end), (b_start, b_end) in pairwise(runs):
        bridge = a_end < len(units) and units[a_end].of and b_start == a_end + 1
        if not bridge or (b_end - a_start) - 1 > _MAX_WORDS:
            continue
        if units[a_end - 1].generic or (a_end - a_start == 1 and units[a_start].key in _QUANTIFIERS):
            joined_heads.add(a_start)  # "a lot of teachers": the phrase is just "teachers"
            continue
        out.append(_phrase(units[a_start:b_end]))  # the runs are adjacent around the "of"
        joined_heads.add(a_start)
    for start, end in runs:
        if start not in joined_heads and end - start <= _MAX_WORDS:
            out.append(_phrase(units[start:end]))
    return [p for p in out if p[1]]


def _trim(units: list[_Unit], start: int, end: int) -> tuple[int, int] | None:
    """Strip stop words, numbers and vague modifiers from the edges; end on a noun; drop empty phrases."""
    while end > start and (
        units[end - 1].pos not in _HEAD_POS or units[end - 1].stop or units[end - 1].number
    ):
        end -= 1
    while start < end and (units[start].stop or units[start].number):
        start += 1
    if start >= end or all(u.generic or u.stop for u in units[start:end]):
        return None
    return start, end


def _phrase(units: list[_Unit]) -> tuple[tuple[str, ...], str]:
    """(key, surface): the key lemmatises only the head, since modifiers are singular anyway ("data gaps")
    and the tagger's number for them varies ("data" is lemmatised to "datum" only when tagged plural)."""
    key = (*tuple(u.text.lower() for u in units[:-1]), units[-1].key)
    return key, " ".join(u.text for u in units)


def rank_keyphrases(
    candidates: list[list[str]], groups: dict[str, list[int]], *, top_k: int = 5
) -> dict[str, list[str]]:
    """The ``top_k`` phrases of each group of sentence indices, by class-based TF-IDF across groups.

    Score = (sentences of the group mentioning the phrase) x log(1 + groups / groups mentioning it), with
    a small boost for multi-word phrases; co-occurrence centrality breaks ties. A multi-word phrase also
    counts inside longer ones ("digital divide" in "biggest digital divide"). A phrase inside a
    higher-ranked one, or containing it, is the same concept (see ``_same_concept``): one slot each,
    holding the more specific phrase when it scores at least half as well.
    """
    display: dict[tuple[str, ...], Counter[str]] = {}
    first_seen: dict[tuple[str, ...], int] = {}
    sentence_keys: list[list[tuple[str, ...]]] = []
    for phrases in candidates:
        keys: list[tuple[str, ...]] = []
        for phrase in phrases:
            for key, surface in _with_nested(phrase):
                display.setdefault(key, Counter())[surface] += 1
                first_seen.setdefault(key, len(first_seen))
                keys.append(key)
        sentence_keys.append(list(dict.fromkeys(keys)))

    indices = {
        name: list(dict.fromkeys(i for i in rows if 0 <= i < len(sentence_keys)))
        for name, rows in groups.items()
    }
    members = {name: [sentence_keys[i] for i in rows] for name, rows in indices.items()}
    frequency = {name: Counter(k for keys in rows for k in keys) for name, rows in members.items()}

    ranked: dict[str, list[str]] = {}
    for name, counts in frequency.items():
        # Nested groups (a theme inside the whole document) do not compete: IDF is over the others.
        rivals = [other for other in groups if other == name or not _nested(indices[name], indices[other])]
        present = Counter(k for other in rivals for k in frequency[other])
        scores = {
            key: tf * math.log(1 + len(rivals) / present[key]) * _boost(key) for key, tf in counts.items()
        }
        centrality = _centrality(members[name])
        order = sorted(
            scores, key=lambda k: (-round(scores[k], 9), -round(centrality.get(k, 0.0), 9), first_seen[k], k)
        )
        chosen = _dedupe(order, scores, top_k)
        ranked[name] = [display[key].most_common(1)[0][0] for key in chosen]
    return ranked


def _nested(a: list[int], b: list[int]) -> bool:
    """True when one group of sentences contains the other."""
    sa, sb = set(a), set(b)
    return sa <= sb or sb <= sa


def _boost(key: tuple[str, ...]) -> float:
    """Multi-word phrases name things more precisely than single nouns; cap the bonus at three words."""
    words = sum(1 for w in key if w != "of")
    return 1 + _MULTIWORD_BOOST * (min(words, 3) - 1)


def _match_key(phrase: str) -> tuple[str, ...]:
    """Lower-cased words with a light plural fold, so "data gaps" and "Data gap" match."""
    return tuple(_fold(word) for word in phrase.lower().split())


def _fold(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _with_nested(phrase: str) -> list[tuple[tuple[str, ...], str]]:
    """The phrase and its tails that keep its head ("digital divide", "divide" in "big digital divide").

    Each comes as (matching key, surface); an "A of B" phrase yields the tails of A joined to B, B and its
    tails. Counting these lets "partnerships" gather its mentions as "multistakeholder/sustained ...".
    """
    words = phrase.split()
    key = _match_key(phrase)
    if not key:
        return []
    if "of" in key[1:-1]:
        at = key.index("of")
        spans = [(i, len(key)) for i in range(1, at)] + [(i, len(key)) for i in range(at + 1, len(key))]
    else:
        spans = [(i, len(key)) for i in range(1, len(key))]
    out = [(key, phrase)]
    for start, end in spans:
        tail = key[start:end]
        if not all(w in GENERIC_NOUNS for w in tail if w != "of"):
            out.append((tail, " ".join(words[start:end])))
    return out


def _centrality(rows: list[list[tuple[str, ...]]]) -> dict[tuple[str, ...], float]:
    """Weighted degree in the phrase co-occurrence graph (phrases linked by sharing a sentence).

    This is one step of TextRank: on the small groups where ties happen, full PageRank favours
    phrases in small isolated cliques (an aside), while degree favours phrases tied to the group's others.
    """
    degree: Counter[tuple[str, ...]] = Counter()
    for keys in rows:
        for key in keys:
            degree[key] += len(keys) - 1
    return {key: float(value) for key, value in degree.items()}


def _same_concept(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One phrase inside the other: as its head ("partnerships" / "multistakeholder partnerships") or as
    a run of two or more words ("digital transformation" / "global digital transformation agenda")."""
    inner, outer = (a, b) if len(a) <= len(b) else (b, a)
    if len(inner) == 1:
        return outer[-1] == inner[0]
    n = len(inner)
    return any(outer[i : i + n] == inner for i in range(len(outer) - n + 1))


def _dedupe(
    order: list[tuple[str, ...]], scores: dict[tuple[str, ...], float], top_k: int
) -> list[tuple[str, ...]]:
    """Walk phrases best first; one slot per concept, upgraded once to a more specific phrase."""
    slots: list[tuple[str, ...]] = []
    absorbed: list[set[tuple[str, ...]]] = []
    for key in order:
        related = [
            i for i, slot in enumerate(slots)
            if any(_same_concept(seen, key) for seen in {slot, *absorbed[i]})
        ]  # fmt: skip
        if not related:
            if len(slots) >= top_k:
                continue  # full: later phrases can only make a slot more specific
            slots.append(key)
            absorbed.append(set())
            continue
        first = related[0]
        upgrade = (
            len(related) == 1
            and not absorbed[first]
            and len(key) > len(slots[first])
            and scores[key] >= _SPECIFIC_RATIO * scores[slots[first]]
        )
        if upgrade:
            absorbed[first].add(slots[first])
            slots[first] = key
    return slots
