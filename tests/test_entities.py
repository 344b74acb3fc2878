"""Entities trimmed to the name, and the name finder that quotes and facts rely on."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from nlp.entities import LABELS, NameFinder, extract_entities, trim_span
from nlp.linguistic import analysis_pipeline


@pytest.fixture(scope="module")
def nlp() -> Language:
    return analysis_pipeline("en_core_web_sm")


def _tagged(nlp: Language, words: list[str], spaces: list[bool], ents: list[str]) -> Doc:
    """A Doc whose entities are fixed by hand, so trimming is tested without depending on the model."""
    return Doc(nlp.vocab, words=words, spaces=spaces, ents=ents)


def test_entities_have_wanted_labels_and_exact_offsets(nlp: Language) -> None:
    text = (
        "The fourth annual meeting of the Global Education Coalition took place on 25 March in Paris. "
        "We asked Borhene Chakroun, Director at UNESCO, to share his reflections."
    )
    entities = extract_entities(nlp(text))
    assert entities, "the trained pipeline finds entities here"
    for entity in entities:
        assert entity.label in LABELS
        assert text[entity.start : entity.end] == entity.text
    found = {(e.text, e.label) for e in entities}
    assert ("Paris", "GPE") in found
    assert ("25 March", "DATE") in found
    assert ("Global Education Coalition", "ORG") in found, "leading 'the' is trimmed from names"
    assert ("Borhene Chakroun", "PERSON") in found
    assert [e.start for e in entities] == sorted(e.start for e in entities)


def test_heading_colon_and_article_are_trimmed(nlp: Language) -> None:
    text = "Fourth Annual Meeting of the Global Education Coalition: Key Takeaways\n\nIt went well."
    orgs = [e for e in extract_entities(nlp(text)) if e.label == "ORG"]
    assert orgs and orgs[0].text == "Global Education Coalition"


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("the Coalition’s", "ORG", "Coalition"),
        ("UNESCO's", "ORG", "UNESCO"),
        ("the Teachers'", "ORG", "Teachers"),
        ("The Hague", "GPE", "The Hague"),
        ("the end of 2026", "DATE", "the end of 2026"),
        ("Kofi Mensah-Boateng\n\n", "PERSON", "Kofi Mensah-Boateng"),
        ("'Beyond Devices'", "WORK_OF_ART", "Beyond Devices"),
        ("Every Child Counted:", "ORG", "Every Child Counted"),
        ("Ana Costa {vocalsound}", "PERSON", "Ana Costa"),
    ],
)
def test_trim_span_keeps_only_the_name(text: str, label: str, expected: str) -> None:
    span = trim_span(text, 0, len(text), label)
    assert span is not None
    assert text[span[0] : span[1]] == expected


@pytest.mark.parametrize("text", ["{vocalsound}", " , ; ", "---", "“”", ""])
def test_trim_span_drops_markers_and_punctuation(text: str) -> None:
    assert trim_span(text, 0, len(text), "ORG") is None


def test_mid_sentence_the_stays_part_of_a_name() -> None:
    text = "He writes for The Economist."
    start = text.index("The")
    assert trim_span(text, start, start + len("The Economist"), "ORG") == (start, start + 13)


def test_disfluency_markers_and_punctuation_entities_are_dropped(nlp: Language) -> None:
    words = ["Hello", "{vocalsound}", "from", "Paris", "--", "and", "the", "UNESCO", "team"]
    spaces = [True] * 8 + [False]
    ents = ["O", "B-ORG", "O", "B-GPE", "B-ORG", "O", "B-ORG", "I-ORG", "O"]
    doc = _tagged(nlp, words, spaces, ents)
    entities = extract_entities(doc)
    assert [(e.text, e.label) for e in entities] == [("Paris", "GPE"), ("UNESCO", "ORG")]
    assert all(doc.text[e.start : e.end] == e.text for e in entities)


def test_transcript_fillers_and_lower_case_names_are_dropped(nlp: Language) -> None:
    words = ["Hmm", "the", "keypad", "from", "Alright", "works", "in", "Greece", "last", "year"]
    ents = ["B-PERSON", "O", "B-ORG", "O", "B-ORG", "O", "O", "B-GPE", "B-DATE", "I-DATE"]
    doc = _tagged(nlp, words, [True] * 9 + [False], ents)
    assert [(e.text, e.label) for e in extract_entities(doc)] == [("Greece", "GPE"), ("last year", "DATE")]


def test_the_name_finder_skips_fillers_and_a_word_said_over_and_over(nlp: Language) -> None:
    # Tagged by hand as the small model tags real AMI transcripts: "Mm mm" and "Ja ja ja ja" as people.
    words = ["Mm", "mm", "said", "Ja", "ja", "ja", "ja", "to", "Sirhan", "Sirhan", "and", "Ana", "Costa"]
    ents = ["B-PERSON", "I-PERSON", "O", "B-PERSON", "I-PERSON", "I-PERSON", "I-PERSON", "O"]
    ents += ["B-PERSON", "I-PERSON", "O", "B-PERSON", "I-PERSON"]
    doc = _tagged(nlp, words, [True] * 12 + [False], ents)
    names = [doc.text[start:end] for start, end, _ in NameFinder(doc).persons]
    assert names == ["Sirhan Sirhan", "Ana Costa"]
    assert [e.text for e in extract_entities(doc)] == ["Sirhan Sirhan", "Ana Costa"]


@pytest.mark.parametrize(
    ("said", "name"),
    [
        # Tagged by hand as the small model tags ICSI and AMI transcripts.
        ("Um Dave Gelbart", "Dave Gelbart"),
        ("Sorry Heather Lee", "Heather Lee"),
        ("Pet Peter Adams", "Peter Adams"),
        ("Rol Ro Rolls Royce", "Rolls Royce"),
        ("Steve Renal - Steve Renals", "Steve Renals"),
        ("Ana Mensah-Boateng", "Ana Mensah-Boateng"),
        ("Ludwig van Beethoven", "Ludwig van Beethoven"),
        ("Martin Luther King Jr.", "Martin Luther King Jr."),
        ("Анна Ковальова", "Анна Ковальова"),
        ("محمد عبد الله", "محمد عبد الله"),
        ("Th Okay", None),
        ("Kay I'm", None),
        ("Twelve Euros", None),
        ("Yea - Nnn", None),
        ("Lo - Income Info - on", None),
        ("Tha w Le", None),
        ("Jesus College", None),
    ],
)
def test_speech_around_a_tagged_name_is_trimmed_and_non_names_are_dropped(
    nlp: Language, said: str, name: str | None
) -> None:
    plain = nlp.make_doc(f"{said} spoke .")
    ents = ["B-PERSON"] + ["I-PERSON"] * (len(plain) - 3) + ["O", "O"]
    tagged = _tagged(nlp, [t.text for t in plain], [bool(t.whitespace_) for t in plain], ents)
    persons = [tagged.text[start:end] for start, end, _ in NameFinder(tagged).persons]
    entities = [e.text for e in extract_entities(tagged) if e.label == "PERSON"]
    assert persons == entities == ([name] if name else [])


def test_a_person_named_after_a_place_the_document_keeps_naming_is_an_organisation(nlp: Language) -> None:
    words = [
        "Qualifications",
        "Wales",
        "and",
        "George",
        "Washington",
        "met",
        "in",
        "Wales",
        "and",
        "Wales",
        ".",
    ]
    ents = ["B-PERSON", "I-PERSON", "O", "B-PERSON", "I-PERSON", "O", "O", "B-GPE", "O", "B-GPE", "O"]
    doc = _tagged(nlp, words, [True] * 9 + [False, False], ents)
    assert [doc.text[a:b] for a, b, _ in NameFinder(doc).persons] == ["George Washington"]
    assert [e.text for e in extract_entities(doc) if e.label == "PERSON"] == ["George Washington"]
    once = _tagged(nlp, words[:9], [True] * 8 + [False], ents[:9])  # Wales named once: no telling
    assert len(NameFinder(once).persons) == 2


def test_unwanted_labels_are_left_out(nlp: Language) -> None:
    words = ["It", "cost", "5", "dollars", "in", "Lima"]
    doc = _tagged(nlp, words, [True] * 5 + [False], ["O", "O", "B-MONEY", "I-MONEY", "O", "B-GPE"])
    assert [e.label for e in extract_entities(doc)] == ["GPE"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n  ",
        "12345 !!! ??? ... ---",
        "😀🎉 Paris 🎉 UNESCO 😀",
        "قال الوزير إن التعليم حق للجميع في باريس.",
        "השר אמר שהחינוך הוא זכות לכולם בפריז.",
        "Paris " * 9000,
    ],
)
def test_hostile_inputs_never_raise_and_offsets_stay_exact(nlp: Language, text: str) -> None:
    doc = nlp(text)
    for entity in extract_entities(doc):
        assert text[entity.start : entity.end] == entity.text


@pytest.mark.parametrize(
    ("text", "anchor", "kind", "name", "title"),
    [
        (
            '"Yes," said Minister of Education Ana Costa.',
            "said ",
            "name",
            "Ana Costa",
            "Minister of Education ",
        ),
        ('"Yes," said Nadia Haddad, Executive Director.', "said ", "name", "Nadia Haddad", None),
        ('"Yes," said Superintendent Ortega.', "said ", "name", "Ortega", "Superintendent "),
        ('"Yes," said Dr. Rhys Morgan, head of it.', "said ", "name", "Rhys Morgan", "Dr. "),
        ('"Yes," Jean-Pierre Dupont said.', '," ', "name", "Jean-Pierre Dupont", None),
        ('"Yes," she said.', '," ', "pronoun", "she", None),
        ('"Yes," said the Secretary-General.', "said ", "title", "Secretary-General", None),
    ],
)
def test_name_finder_reads_names_titles_and_pronouns(
    nlp: Language, text: str, anchor: str, kind: str, name: str, title: str | None
) -> None:
    finder = NameFinder(nlp(text))
    mention = finder.at(text.index(anchor) + len(anchor), len(text))
    assert mention is not None
    assert (mention.kind, text[mention.start : mention.end]) == (kind, name)
    found_title = text[mention.title_start : mention.start] if mention.title_start is not None else None
    assert found_title == title


@pytest.mark.parametrize(
    "text",
    ['"Yes," said the report.', '"Yes," said UNESCO.', '"Yes," said Monday.', '"Yes," said Member States.'],
)
def test_name_finder_does_not_make_people_of_things(nlp: Language, text: str) -> None:
    mention = NameFinder(nlp(text)).at(text.index("said ") + 5, len(text))
    assert mention is None or mention.kind != "name"


def test_name_finder_finds_the_subject_before_a_verb(nlp: Language) -> None:
    text = "Speaking in Lisbon, Ana Costa said that it works."
    mention = NameFinder(nlp(text)).before(0, text.index(" said"))
    assert mention is not None and text[mention.start : mention.end] == "Ana Costa"
