"""Seed-pattern evidence for themes: taxonomy phrases matched on lemmas, case-insensitively.

Each phrase is lemmatised by the same pipeline as the text, so "teachers trained" meets "teacher train";
the surface form is matched too, because the lemmatiser is not always consistent ("data" -> "datum").
Words inside names (organisations, people, events) do not count. Matches are reported per sentence span;
how much a match is worth is learned elsewhere.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from nlp.taxonomy import Taxonomy

_NAME_LABELS = {"ORG", "PERSON", "EVENT", "FAC", "WORK_OF_ART", "LAW", "PRODUCT"}

Hits = dict[str, list[str]]
"""theme id -> the taxonomy phrases that matched in one sentence"""


class PatternMatcher:
    """Matches the taxonomy's seed phrases; built once per pipeline and taxonomy."""

    def __init__(self, nlp: Language, taxonomy: Taxonomy) -> None:
        self._lemma_matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        self._surface_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._keys: dict[int, tuple[str, str]] = {}
        phrases = [(t.id, p) for t in taxonomy.themes for p in t.patterns]
        lemma_docs = nlp.pipe((p for _, p in phrases), disable=[n for n in nlp.pipe_names if n == "ner"])
        for (theme_id, phrase), pattern_doc in zip(phrases, lemma_docs, strict=True):
            key = f"{theme_id}::{phrase}"
            self._keys[nlp.vocab.strings.add(key)] = (theme_id, phrase)
            self._lemma_matcher.add(key, [_as_lemmas(pattern_doc)])
            self._surface_matcher.add(key, [nlp.make_doc(phrase)])

    def sentence_hits(self, doc: Doc, spans: Sequence[tuple[int, int]]) -> list[Hits]:
        """For each character span, the phrases of each theme found inside it."""
        lemma_doc = _as_lemmas(doc)
        hits: list[Hits] = [{} for _ in spans]
        starts = [s for s, _ in spans]
        named = {t.i for ent in doc.ents if ent.label_ in _NAME_LABELS for t in ent}
        matches = [*self._lemma_matcher(lemma_doc), *self._surface_matcher(doc)]
        for match_id, start, end in sorted(matches, key=lambda m: (m[1], m[2])):
            if all(i in named for i in range(start, end)):
                continue  # "Global Education Coalition" names an organisation; it is not about coalitions
            char = doc[start].idx
            index = _span_index(starts, spans, char, doc[end - 1].idx + len(doc[end - 1]))
            if index is None:
                continue
            theme_id, phrase = self._keys[match_id]
            found = hits[index].setdefault(theme_id, [])
            if phrase not in found:
                found.append(phrase)
        return hits


def _as_lemmas(doc: Doc) -> Doc:
    """A copy of ``doc`` whose NORM is the lower-cased lemma, so the matcher compares lemmas."""
    words = [t.text for t in doc]
    spaces = [bool(t.whitespace_) for t in doc]
    lemma_doc = Doc(doc.vocab, words=words, spaces=spaces)
    for token, source in zip(lemma_doc, doc, strict=True):
        token.norm_ = (source.lemma_ or source.text).lower()
    return lemma_doc


def _span_index(starts: list[int], spans: Sequence[tuple[int, int]], start: int, end: int) -> int | None:
    i = bisect.bisect_right(starts, start) - 1
    if i >= 0 and spans[i][0] <= start and end <= spans[i][1]:
        return i
    return None
