"""The linguistic pass: sentences within turns, exact offsets, speakers, transcript clean-up."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language

from nlp import linguistic
from nlp.ingest import read_document
from nlp.linguistic import clean_transcript_text, is_substantive, parse, piece_bounds, sentences


def test_no_sentence_crosses_a_speaker_turn_and_offsets_are_exact(nlp: Language) -> None:
    transcript = b"Ana: we should fund the tutors and\nBen: the tutors need training first\nAna: Yeah.\n"
    document = read_document(transcript, source="t.txt")
    ((_, doc),) = list(parse([document], nlp=nlp))
    sents = sentences(document, doc)
    assert [(s.speaker, s.text) for s in sents] == [
        ("Ana", "we should fund the tutors and"),
        ("Ben", "the tutors need training first"),
        ("Ana", "Yeah."),
    ]
    assert all(document.text[s.start : s.end] == s.text for s in sents)
    assert [s.candidate for s in sents] == [True, True, False]


def test_disfluencies_fillers_and_stutters_are_cleaned_for_scoring_only() -> None:
    raw = "Um I I think the {disfmarker} the budget , uh , is is too small {vocalsound} ."
    assert clean_transcript_text(raw) == "I think the budget, is too small."


def test_back_channel_turns_are_not_candidates() -> None:
    for turn in ("Yeah.", "Okay.", "Mm-hmm.", "Right, right.", "Thank you.", "Uh-huh"):
        assert not is_substantive(clean_transcript_text(turn)), turn
    assert is_substantive("We need forty more science teachers in the valleys.")


@given(
    paragraphs=st.lists(st.integers(1, 400), min_size=1, max_size=40),
    limit=st.integers(50, 600),
    breaks=st.sampled_from(["\n\n", "\n", " "]),
)
def test_pieces_cover_the_text_end_to_end_within_the_limit(
    paragraphs: list[int], limit: int, breaks: str
) -> None:
    text = breaks.join("w" * (n - 1) + "." for n in paragraphs)
    document = read_document(text.encode(), source="long.txt")
    bounds = piece_bounds(document, limit)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(document.text)
    assert all(a < b <= a + limit for a, b in bounds)
    assert all(b == c for (_, b), (c, _) in itertools.pairwise(bounds))


def test_a_text_over_spacys_limit_is_parsed_whole_with_exact_offsets(
    nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    """spaCy refuses texts over ``max_length``; a long document is parsed in pieces joined back, and its
    sentences are the ones a whole parse gives."""
    paragraph = "The ministry will fund teacher training in rural districts. Partners will pay for devices."
    text = "\n\n".join(f"{paragraph} Item {i}." for i in range(60))
    document = read_document(text.encode(), source="long.txt")
    ((_, whole),) = parse([document], nlp=nlp)
    monkeypatch.setattr(linguistic, "MAX_PIECE_CHARS", 700)
    monkeypatch.setattr(nlp, "max_length", 1000)  # the document is over it: unpieced, spaCy would refuse
    ((_, pieced),) = parse([document], nlp=nlp)
    assert len(document.text) > nlp.max_length and pieced.text == document.text
    spans = [(s.start, s.end) for s in sentences(document, pieced)]
    assert spans == [(s.start, s.end) for s in sentences(document, whole)]
    assert all(
        document.text[a:b] == s.text for (a, b), s in zip(spans, sentences(document, pieced), strict=True)
    )
