"""The linguistic pass: sentences within turns, exact offsets, speakers, transcript clean-up."""

from __future__ import annotations

from spacy.language import Language

from nlp.ingest import read_document
from nlp.linguistic import clean_transcript_text, is_substantive, parse, sentences


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
