"""Key phrases: POS-pattern candidates per sentence, class-based TF-IDF ranking per group."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from nlp.keyphrases import GENERIC_NOUNS, phrase_candidates, rank_keyphrases
from nlp.linguistic import analysis_pipeline

PARAGRAPH = (
    "Teacher training must come first. The ministry will fund the professional development of teachers in "
    "rural schools, and teachers' involvement in the design of digital tools is crucial. The digital divide "
    "still excludes many low-income countries from online learning. A lot of people say the biggest digital "
    "divide is about connectivity, and this year the way we close it matters. Multistakeholder partnerships "
    "between governments and the private sector can close the digital divide."
)
TRANSCRIPT = (
    "Um {disfmarker} so I I think the uh {vocalsound} school funding formula is, you know, broken. "
    "Yeah. Okay. Mm-hmm. "
    "The {disfmarker} the the teacher shortage in {gap} Welsh-medium schools, um, is getting worse {pause} "
    "to be honest. Uh, thing is, a lot of stuff, um, kind of happens, you know, every time."
)
DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "many", "some", "every", "our", "their"}


@pytest.fixture(scope="module")
def nlp() -> Language:
    return analysis_pipeline("en_core_web_sm")


def _sentences(doc: Doc) -> list[tuple[int, int]]:
    return [(s.start_char, s.end_char) for s in doc.sents]


def test_paragraph_yields_readable_noun_phrases_without_generic_words(nlp: Language) -> None:
    doc = nlp(PARAGRAPH)
    candidates = phrase_candidates(doc, _sentences(doc))
    phrases = {p for sentence in candidates for p in sentence}
    expected = {
        "teacher training",  # sentence-initial capital folded to the common word
        "digital divide",  # "the biggest digital divide" loses its article and its grading adjective
        "low-income countries",  # hyphenated compound kept whole, "many" stripped
        "multistakeholder partnerships",
        "professional development of teachers",
        "private sector",
        "online learning",
    }
    assert expected <= phrases, expected - phrases
    for phrase in phrases:
        words = phrase.lower().split()
        assert words[0] not in DETERMINERS, phrase
        assert words[-1] not in DETERMINERS, phrase
        assert not set(words) <= GENERIC_NOUNS | {"of"}, phrase
    assert not phrases & {
        "lot",
        "people",
        "year",
        "way",
        "biggest digital divide",
        "many low-income countries",
    }
    assert candidates[3] == ["digital divide", "connectivity"]


def test_transcript_markers_fillers_and_backchannel_yield_no_phrases(nlp: Language) -> None:
    doc = nlp(TRANSCRIPT)
    candidates = phrase_candidates(doc, _sentences(doc))
    phrases = [p for sentence in candidates for p in sentence]
    assert "school funding formula" in phrases
    assert "teacher shortage" in phrases
    assert "Welsh-medium schools" in phrases
    joined = " ".join(phrases).lower()
    for junk in ("disfmarker", "vocalsound", "gap", "pause", "{", "um", "uh", "mm", "yeah", "okay", "stuff"):
        assert junk not in joined.split(), junk
    assert "{" not in joined
    assert len(phrases) == len(set(phrases)) == 3, phrases


def test_variants_share_one_surface_form_within_a_call(nlp: Language) -> None:
    doc = nlp("Data gaps are large. We must close the data gap. Teachers need data.")
    candidates = phrase_candidates(doc, _sentences(doc))
    assert candidates[0] == candidates[1] == ["data gaps"]  # same lemmas -> same string to match on


def test_groups_get_their_own_distinctive_phrases(nlp: Language) -> None:
    text = (
        "Rural schools need teacher training. Teacher training in rural schools should include coaching. "
        "Rural schools report teacher shortages. The digital divide hurts rural schools. "
        "Rural schools lack broadband access. Closing the digital divide in rural schools needs broadband "
        "access. School buses are often late. School buses need new drivers."
    )
    doc = nlp(text)
    candidates = phrase_candidates(doc, _sentences(doc))
    groups = {"teachers": [0, 1, 2], "digital": [3, 4, 5], "document": list(range(8))}
    ranked = rank_keyphrases(candidates, groups, top_k=5)
    assert list(ranked) == ["teachers", "digital", "document"]
    # "rural schools" is in every sentence of both themes, so it sets neither apart (IDF) ...
    assert ranked["teachers"][0] == "teacher training"
    assert ranked["digital"][0] == "digital divide"
    assert "digital divide" not in ranked["teachers"]
    assert "teacher training" not in ranked["digital"]
    # ... but it is the document's most frequent phrase: themes nested in it are not its rivals. The
    # other phrases are tied on frequency; "school buses", an aside linked to nothing else, comes last.
    assert ranked["document"][0] == "rural schools"
    assert ranked["document"][-1] == "school buses"
    assert set(ranked["document"]) == {
        "rural schools",
        "teacher training",
        "digital divide",
        "broadband access",
        "school buses",
    }
    assert rank_keyphrases(candidates, groups, top_k=5) == ranked  # deterministic


def test_sub_phrases_collapse_into_the_more_specific_phrase() -> None:
    candidates = [
        ["multistakeholder partnerships", "funding"],
        ["multistakeholder partnerships"],
        ["partnerships", "funding"],
        ["partnerships", "digital divide"],
        ["digital divide"],
        ["rural digital divide", "education policy", "education"],
    ]
    ranked = rank_keyphrases(candidates, {"all": list(range(6))}, top_k=10)["all"]
    # "partnerships" (4 mentions, counting the nested ones) becomes its more specific form (2 mentions).
    assert "multistakeholder partnerships" in ranked
    assert "partnerships" not in ranked
    # "rural digital divide" (1) is too weak to replace "digital divide" (3), which absorbs it.
    assert "digital divide" in ranked
    assert "rural digital divide" not in ranked
    # A shared modifier is not the same concept: "education" and "education policy" both stay.
    assert {"education", "education policy"} <= set(ranked)
    assert ranked[:2] == ["multistakeholder partnerships", "digital divide"]
    assert rank_keyphrases(candidates, {"all": list(range(6))}, top_k=2)["all"] == ranked[:2]


def test_ties_break_by_specificity_then_connectedness() -> None:
    # Same frequency: the multi-word phrase is more specific, so it wins over the earlier single noun.
    assert rank_keyphrases([["funding", "digital divide"]], {"g": [0]}, top_k=1) == {"g": ["digital divide"]}
    # Same score: phrases that share sentences with others outrank an isolated aside seen first.
    candidates = [["school buses"], ["teacher pay", "class sizes", "rural schools"]]
    ranked = rank_keyphrases(candidates, {"g": [0, 1]}, top_k=4)["g"]
    assert ranked == ["teacher pay", "class sizes", "rural schools", "school buses"]


def test_empty_inputs(nlp: Language) -> None:
    doc = nlp(PARAGRAPH)
    assert phrase_candidates(doc, []) == []
    assert phrase_candidates(doc, [(5, 5), (-3, 0), (len(PARAGRAPH), len(PARAGRAPH) + 9)]) == [[], [], []]
    assert phrase_candidates(nlp(""), [(0, 0)]) == [[]]
    assert rank_keyphrases([], {}) == {}
    assert rank_keyphrases([], {"empty": [0, 3]}) == {"empty": []}
    assert rank_keyphrases([[], ["digital divide"]], {"a": [0], "b": [1, 7, -1]}) == {
        "a": [],
        "b": ["digital divide"],
    }
    assert rank_keyphrases([["digital divide"]], {"a": [0]}, top_k=0) == {"a": []}
