"""Seed patterns: matched on lemmas and surface forms, per sentence, never inside names."""

from __future__ import annotations

from spacy.language import Language

from nlp.patterns import PatternMatcher
from nlp.taxonomy import Taxonomy


def _hits(nlp: Language, taxonomy: Taxonomy, text: str) -> list[dict[str, list[str]]]:
    doc = nlp(text)
    return PatternMatcher(nlp, taxonomy).sentence_hits(doc, [(s.start_char, s.end_char) for s in doc.sents])


def test_inflected_forms_match_their_lemma_patterns(nlp: Language, taxonomy: Taxonomy) -> None:
    (hits,) = _hits(nlp, taxonomy, "Our teachers attended workshops on budgets.")
    assert "teacher" in hits["teacher_capacity"]
    assert "budget" in hits["financing"]


def test_each_sentence_gets_its_own_hits(nlp: Language, taxonomy: Taxonomy) -> None:
    hits = _hits(nlp, taxonomy, "The data gaps remain large. Floods closed forty schools. Thank you all.")
    assert list(hits[0]) == ["data_evidence"]
    assert "flood" in hits[1]["crisis_resilience"]
    assert hits[2] == {}


def test_words_inside_organisation_names_do_not_count(nlp: Language, taxonomy: Taxonomy) -> None:
    (named,) = _hits(nlp, taxonomy, "She spoke for the Global Education Coalition in Paris.")
    assert "partnerships" not in named
    (plain,) = _hits(nlp, taxonomy, "We need a coalition of donors and ministries.")
    assert "coalition" in plain["partnerships"]
