"""The lookup attribute ruler sets every token's part of speech, tag, morphology and lemma exactly as
spaCy's own ruler does with the same rules, on real speeches and meetings and on made-up token soup."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language
from spacy.tokens import Doc

from nlp.attribute_rules import LookupAttributeRuler, use_lookup_attribute_ruler
from nlp.ingest import read_document
from nlp.linguistic import EXCLUDED, analysis_pipeline
from nlp.pipeline import load_pipeline

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"


@pytest.fixture(scope="module")
def pair() -> tuple[Language, Language]:
    """spaCy's ruler and the lookup one, each in a pipeline of its own (the cached one is shared)."""
    original = load_pipeline.__wrapped__("en_core_web_sm", exclude=EXCLUDED)
    lookup = load_pipeline.__wrapped__("en_core_web_sm", exclude=EXCLUDED)
    use_lookup_attribute_ruler(lookup)
    assert isinstance(lookup.get_pipe("attribute_ruler"), LookupAttributeRuler)
    return original, lookup


def _attributes(nlp: Language, texts: list[str]) -> list[list[tuple[str, str, str, str]]]:
    with nlp.select_pipes(enable=["tok2vec", "tagger", "attribute_ruler", "lemmatizer"]):
        docs: list[Doc] = list(nlp.pipe(texts))
    return [[(t.pos_, t.tag_, str(t.morph), t.lemma_) for t in doc] for doc in docs]


def test_real_speeches_meetings_and_samples_get_the_same_attributes(
    pair: tuple[Language, Language], shared_data: Path
) -> None:
    paths = sorted((shared_data / "ungdc" / "TXT").glob("*/*.txt"))[::400]
    paths += sorted((shared_data / "qmsum").rglob("*.json"))[:2] + sorted(SAMPLES.iterdir())
    texts = [read_document(p.read_bytes(), source=str(p)).text for p in paths]
    original, lookup = pair
    expected, got = _attributes(original, texts), _attributes(lookup, texts)
    assert sum(map(len, got)) > 20_000
    assert got == expected


WORDS = st.sampled_from(
    [
        "I",
        "you",
        "he",
        "she",
        "it",
        "we",
        "they",
        "'s",
        "'re",
        "n't",
        "ca",
        "wo",
        "ai",
        "not",
        "am",
        "is",
        "are",
        "was",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "gon",
        "na",
        "got",
        "ta",
        "lemme",
        "'d",
        "'ll",
        "'ve",
        ".",
        ",",
        ";",
        ":",
        "?",
        "!",
        "-",
        "--",
        "...",
        "(",
        ")",
        '"',
        "'",
        "$",
        "%",
        "&",
        "10",
        "1.5",
        "two",
        "second",
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "by",
        "Mr.",
        "Ms.",
        "U.S.",
        "UN",
        "teachers",
        "schools",
        "reading",
        "read",
        "better",
        "best",
        "more",
        "most",
        "running",
        "ran",
        "is",
        "n't",
        "cannot",
        "gonna",
        "wanna",
        "dunno",
        "y'all",
        "whatever",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(WORDS, st.sampled_from([" ", "\n", "\n\n", "  "])), min_size=1, max_size=40))
def test_any_token_soup_gets_the_same_attributes(pair: tuple[Language, Language], words: list[str]) -> None:
    text = " ".join(words)
    original, lookup = pair
    assert _attributes(lookup, [text]) == _attributes(original, [text])


def test_the_analysis_pipeline_swaps_once(nlp: Language) -> None:
    assert isinstance(nlp.get_pipe("attribute_ruler"), LookupAttributeRuler)
    assert analysis_pipeline("en_core_web_sm") is nlp  # a second call finds it swapped and keeps it
