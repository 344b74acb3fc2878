"""Direct quotations and their speakers: each attribution pattern, odd marks, hostile text, a property."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from nlp.document import Document, DocumentKind, Segment, text_id
from nlp.ingest import read_document
from nlp.linguistic import analysis_pipeline
from nlp.quotes import extract_quotes
from nlp.summary import Quote

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"
LINE = "We will not stop until every child can read"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return analysis_pipeline("en_core_web_sm")


def _document(
    text: str, kind: DocumentKind = "statement", segments: tuple[Segment, ...] | None = None
) -> Document:
    if segments is None:
        segments = (Segment(start=0, end=len(text)),) if text else ()
    return Document(id=text_id(text), source="test", format="txt", kind=kind, text=text, segments=segments)


def _quotes(nlp: Language, text: str, kind: DocumentKind = "statement") -> list[Quote]:
    document = _document(text, kind)
    quotes = extract_quotes(document, nlp(text))
    _assert_exact(text, quotes)
    return quotes


def _assert_exact(text: str, quotes: list[Quote]) -> None:
    for quote in quotes:
        assert text[quote.start : quote.end] == quote.text
        assert quote.text and quote.text == quote.text.strip()
        if quote.speaker_start is not None:
            assert quote.speaker_end is not None
            assert text[quote.speaker_start : quote.speaker_end] == quote.speaker


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (f'"{LINE}," said Ana Costa.', "Ana Costa"),
        (f'"{LINE}" Ana Costa said.', "Ana Costa"),
        (f'"{LINE}." Ana Costa said.', "Ana Costa"),
        (f'Ana Costa said: "{LINE}."', "Ana Costa"),
        (f'Ana Costa said that "{LINE}."', "Ana Costa"),
        (f'According to Ana Costa, "{LINE}."', "Ana Costa"),
        (f'"{LINE}," according to Ana Costa.', "Ana Costa"),
        (f'"{LINE}," Ana Costa, Minister of Education, said.', "Ana Costa"),
        (f'"{LINE}," said Minister of Education Ana Costa.', "Ana Costa"),
        (f'"{LINE}", said Ana Costa on Monday.', "Ana Costa"),
        (f'"{LINE}." – Ana Costa', "Ana Costa"),
        (f'"{LINE}" — Jean-Pierre Dupont', "Jean-Pierre Dupont"),
        (f"“{LINE},” said Dr Rhys Morgan.", "Rhys Morgan"),
        (f"«{LINE}», said Nadia Haddad, Executive Director of Bridges for Learning.", "Nadia Haddad"),
        (f"« {LINE} », a déclaré Nadia Haddad.", None),
        (f"Ana Costa told reporters on Tuesday: “{LINE}.”", "Ana Costa"),
        # The speech's own words to someone it names are not that person's.
        (f"I heard President Erdogan attack us, and I want to say to him: “{LINE}.”", None),
    ],
)
def test_each_attribution_pattern_finds_the_quote_and_its_speaker(
    nlp: Language, text: str, speaker: str | None
) -> None:
    quotes = _quotes(nlp, text)
    assert len(quotes) == 1
    assert quotes[0].text.rstrip(".") == LINE
    assert quotes[0].speaker == speaker


def test_speaker_offsets_point_at_the_name_not_the_title(nlp: Language) -> None:
    text = f'"{LINE}," said Minister Grace Achterberg.'
    (quote,) = _quotes(nlp, text)
    assert quote.speaker == "Grace Achterberg"
    assert quote.speaker_start is not None
    assert text[: quote.speaker_start].endswith("Minister ")
    assert (quote.start, quote.end) == (1, 1 + len(LINE)), "offsets exclude the marks and the comma"


def test_pronouns_resolve_to_the_most_recent_named_speaker(nlp: Language) -> None:
    text = (
        f'"{LINE}," said Ana Costa. John Smith, the mayor, nodded.\n\n'
        '"We will pay every teacher on time this year," she added.\n\n'
        '"The budget will follow in the spring," said Maria Lopez. "It is already drafted," she said.'
    )
    quotes = _quotes(nlp, text)
    assert [q.speaker for q in quotes] == ["Ana Costa", "Ana Costa", "Maria Lopez", "Maria Lopez"]
    assert quotes[1].speaker_start == text.index("Ana Costa"), "a resolved pronoun points at the antecedent"


def test_a_pronoun_with_no_quote_before_it_uses_the_last_person_named(nlp: Language) -> None:
    text = f'Ana Costa opened the summit in Lisbon. "{LINE}," she said.'
    (quote,) = _quotes(nlp, text)
    assert quote.speaker == "Ana Costa"


def test_a_bare_title_resolves_to_the_speaker_with_that_title(nlp: Language) -> None:
    text = (
        f'"{LINE}," said Minister Grace Achterberg.\n\n'
        'The Minister called on others. "We must all act now to fix this," the minister added.'
    )
    assert [q.speaker for q in _quotes(nlp, text)] == ["Grace Achterberg", "Grace Achterberg"]


def test_a_second_quote_in_the_paragraph_continues_the_speaker(nlp: Language) -> None:
    text = f'"{LINE}," said Samuel Otieno, Head of Research. "A single question would change that."'
    assert [q.speaker for q in _quotes(nlp, text)] == ["Samuel Otieno", "Samuel Otieno"]


def test_a_quote_spanning_paragraphs_is_one_quote(nlp: Language) -> None:
    text = (
        '"The first paragraph of a long statement goes on.\n\n'
        '"The second paragraph reopens the quote but does not close it.\n\n'
        '"The third paragraph ends it," said Ana Costa.'
    )
    (quote,) = _quotes(nlp, text)
    assert quote.text.startswith("The first paragraph") and quote.text.endswith("ends it")
    assert "\n\n" in quote.text
    assert quote.speaker == "Ana Costa"


def test_a_multi_paragraph_quote_that_never_closes_ends_at_its_last_paragraph(nlp: Language) -> None:
    text = "Costa said:\n\n“Paragraph one of the speech.\n\n“Paragraph two, never closed"
    (quote,) = _quotes(nlp, text)
    assert quote.text.endswith("never closed")


@pytest.mark.parametrize(
    "text",
    [
        'He said "oops and then there is no closing mark at all',
        '"We will not stop, said the minister.',
        'The 5" screen is "a really fantastic device for all," said Ana Costa.',
        'Closing first" then "opening and" and more "',
        "“Nested “curly” marks” and ” stray » marks « everywhere",
        '"a" "b" "c',
        '"',
        '""""""',
        "“”“”«»",
        '"\n\n"\n\n"',
    ],
)
def test_unbalanced_or_odd_marks_never_raise(nlp: Language, text: str) -> None:
    _quotes(nlp, text)


def test_an_unclosed_quote_is_kept_only_when_introduced(nlp: Language) -> None:
    assert _quotes(nlp, '"We will never give up on our children, said the minister.') == []
    (quote,) = _quotes(nlp, "Ana Costa said: “We will build a school in every district")
    assert quote.text == "We will build a school in every district" and quote.speaker == "Ana Costa"


def test_stray_inch_mark_does_not_swallow_the_real_quote(nlp: Language) -> None:
    (quote,) = _quotes(nlp, 'The 5" screen is "a really fantastic device for all," said Ana Costa.')
    assert quote.text == "a really fantastic device for all"


@pytest.mark.parametrize(
    "text",
    [
        'The so-called "reform" failed.',
        'It was, in her words, "a good start" for everyone.',
        'Our report "Every Child Counted: Inclusion and Data in Refugee Education" is out.',
        '"We must act." The report said the plan was good.',
    ],
)
def test_scare_quotes_and_titles_are_not_quotes(nlp: Language, text: str) -> None:
    assert _quotes(nlp, text) == []


def test_short_quotes_count_when_someone_is_credited(nlp: Language) -> None:
    (quote,) = _quotes(nlp, 'Asked about the plan, "Yes," said Ana Costa.')
    assert (quote.text, quote.speaker) == ("Yes", "Ana Costa")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        '"""',
        "“” “” «» „“",
        "12345 !!! ??? ... --- ***",
        "😀 🎉🎉🎉 👩‍🏫 📚",
        "قال الوزير إن التعليم حق للجميع.",
        "השר אמר שהחינוך הוא זכות לכולם.",
    ],
)
def test_hostile_inputs_give_no_quotes_and_no_errors(nlp: Language, text: str) -> None:
    assert _quotes(nlp, text) == []


@pytest.mark.parametrize(
    "text",
    [
        '😀 "🎉🎉 emoji party 🎉 all over the place tonight," said Ana Costa 😀',
        'قال الوزير "هذا يوم عظيم للتعليم في بلادنا" اليوم.',
        '"שלום עולם זה ציטוט ארוך מאוד," אמר השר.',
    ],
)
def test_emoji_and_right_to_left_quotes_keep_exact_offsets(nlp: Language, text: str) -> None:
    (quote,) = _quotes(nlp, text)
    assert quote.text.strip()


def test_a_50000_character_sentence(nlp: Language) -> None:
    body = ("word " * 10_000).strip()
    text = f'Ana Costa said: "{body}," and then "{body[: 50000 - 100]}"'
    quotes = _quotes(nlp, text)
    assert quotes and quotes[0].speaker == "Ana Costa" and len(quotes[0].text) == len(body)
    assert _quotes(nlp, "x" * 50_000) == []


def test_transcript_quotes_default_to_the_turn_speaker(nlp: Language) -> None:
    first = 'The poster on our wall reads "education is the one thing nobody can take away."'
    second = 'The minister wrote, "we will fund every school," said Ana Costa in her letter.'
    text = f"{first}\n\n{second}"
    segments = (
        Segment(speaker="Lynne Neagle", start=0, end=len(first), kind="turn"),
        Segment(speaker="Hefin David", start=len(first) + 2, end=len(text), kind="turn"),
    )
    document = _document(text, "transcript", segments)
    quotes = extract_quotes(document, nlp(text))
    _assert_exact(text, quotes)
    assert [q.speaker for q in quotes] == ["Lynne Neagle", "Ana Costa"]
    assert quotes[0].speaker_start is None, "the turn speaker is not a span of the text"


def test_a_quote_credited_to_someone_unnamed_is_not_the_turn_speakers(nlp: Language) -> None:
    text = 'As my grandmother used to say, "education is the one thing nobody can take away."'
    document = _document(text, "transcript", (Segment(speaker="Lynne Neagle", start=0, end=len(text)),))
    (quote,) = extract_quotes(document, nlp(text))
    assert quote.speaker is None


def test_a_doc_from_other_text_is_refused(nlp: Language) -> None:
    with pytest.raises(ValueError, match="not made from this document"):
        extract_quotes(_document("One text."), nlp("Another text."))


def test_ministry_statement_quotes_the_minister(nlp: Language) -> None:
    document = read_document(
        (SAMPLES / "statement_ministry.html").read_bytes(), source="statement_ministry.html"
    )
    quotes = extract_quotes(document, nlp(document.text))
    _assert_exact(document.text, quotes)
    (quote,) = quotes
    assert quote.text.startswith("Too many of our children spend years in school")
    assert quote.text.endswith("to account for results")
    assert quote.speaker == "Grace Achterberg"
    assert quote.speaker_start is not None
    assert document.text[: quote.speaker_start].endswith("said Minister ")


def test_ngo_statement_credits_both_spokespeople(nlp: Language) -> None:
    document = read_document((SAMPLES / "statement_ngo.md").read_bytes(), source="statement_ngo.md")
    quotes = extract_quotes(document, nlp(document.text))
    _assert_exact(document.text, quotes)
    assert [q.speaker for q in quotes] == ["Nadia Haddad", "Nadia Haddad", "Samuel Otieno", "Samuel Otieno"]
    assert not any(q.text.startswith("Every Child Counted") for q in quotes), "a report title is no quote"


_PIECES = st.sampled_from(
    ['"', '"', "“", "”", "«", "»", "„", "'", " said ", ", said Ana Costa.", " she said", "\n\n", "\n",
     ": ", " – ", "According to ", " Minister ", "Ana Costa", " that ", ".", ",", " "]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=40),
    kind=st.sampled_from(["statement", "transcript"]),
)
def test_property_quotes_never_raise_and_slice_exactly(
    nlp: Language, pieces: list[str], kind: DocumentKind
) -> None:
    text = "".join(pieces)
    segments = (Segment(speaker="Speaker A", start=0, end=len(text), kind="turn"),) if text else ()
    document = _document(text, kind, segments)
    _assert_exact(text, extract_quotes(document, nlp(text)))
