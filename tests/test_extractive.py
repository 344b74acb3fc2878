"""The brief: budgeted coverage of what a document keeps talking about, in document order, no back-channel."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language

from nlp.analyse import Analyzer, analyse
from nlp.extractive import CoverOptions, concepts, cover, extractive_summary, fill_budget, word_counts
from nlp.ingest import read_document
from nlp.linguistic import clean_transcript_text
from nlp.summary import DocumentSummary, SentenceRecord
from nlp.taxonomy import Taxonomy
from nlp.training import ThemeModel
from tests.test_search import make_summary

MEETING = make_summary(
    [
        ("Chair", ["Good afternoon and welcome to the committee.", "Okay."]),
        ("Ann", ["Yeah.", "School budgets were cut again this year and rural schools feel it most."]),
        ("Bob", ["Mm-hmm.", "Teachers in rural schools need training on the new digital curriculum."]),
        ("Ann", ["Rural schools also lack the devices and the connectivity for the digital curriculum."]),
        ("Cat", ["Right.", "The {disfmarker} the new curriculum starts in September for every school."]),
        ("Bob", ["So we must fund training for rural teachers before the digital curriculum starts."]),
        ("Chair", ["Thank you.", "We will move on to the next item on the agenda after the break."]),
    ],
    source="meeting.json",
)
BACKCHANNEL = {"Okay.", "Yeah.", "Mm-hmm.", "Right.", "Thank you."}


def _words(records: list[SentenceRecord]) -> int:
    return sum(len(clean_transcript_text(r.text).split()) for r in records)


def test_budget_is_respected_counting_words_after_clean_up() -> None:
    for budget in (0, 5, 13, 20, 33, 50, 200):
        chosen = extractive_summary(MEETING, word_budget=budget)
        assert _words(chosen) <= budget
    assert extractive_summary(MEETING, word_budget=0) == []
    assert word_counts([MEETING.sentences[8]]) == [9]  # the {disfmarker} and the stutter do not count


def test_the_brief_reads_in_document_order() -> None:
    chosen = [r.i for r in extractive_summary(MEETING, word_budget=45)]
    assert len(chosen) >= 2
    assert chosen == sorted(chosen)


def test_once_everything_recurring_is_covered_the_richest_sentences_fill_the_budget() -> None:
    # After 5 and 8, nothing recurring is left uncovered; 6 repeats three of 5's subjects.
    assert cover(MEETING.sentences, 10_000, options=CoverOptions(fill=False)) == [5, 8]
    assert cover(MEETING.sentences, 10_000) == [5, 8, 9, 6, 3]


def test_back_channel_never_appears_and_concept_free_sentences_are_left_out() -> None:
    chosen = extractive_summary(MEETING, word_budget=10_000)
    texts = {r.text for r in chosen}
    assert not texts & BACKCHANNEL
    assert all(r.candidate for r in chosen)
    # The greeting and the logistics line share no concept with the rest: they add nothing to cover.
    assert {0, 11} & {r.i for r in chosen} == set()


def test_the_first_pick_covers_the_most_repeated_concepts() -> None:
    first = cover(MEETING.sentences, 100)[0]
    # "rural", "school", "digital", "curriculum", "digital_curriculum" are each said 3 times or more.
    assert first in {5, 6, 9}
    assert {"rural", "digital", "curriculum", "digital_curriculum"} <= concepts(MEETING.sentences[first].text)


def test_a_sentence_that_repeats_the_brief_gains_nothing() -> None:
    repeated = make_summary(
        [
            ("A", ["Rural schools need digital devices and teacher training now."]),
            ("B", ["Rural schools need digital devices and teacher training now, really."]),
            ("C", ["Teacher training budgets fell sharply while rural school devices aged."]),
            ("D", ["Budgets for devices fell sharply in rural areas this year."]),
        ],
        source="repeat.json",
    )
    picked = cover(repeated.sentences, 19)
    assert len(picked) == 2
    assert {0, 1} - set(picked)  # never both versions of the same sentence


def _asides(count: int) -> list[tuple[str | None, list[str]]]:
    """Substantive sentences whose words are all said once: nothing in them recurs."""
    words = iter("".join(letters) for letters in itertools.product("bcdfghjklm", "aeiou", "nprstvz"))
    return [("X", [" ".join(next(words) for _ in range(6)) + "."]) for _ in range(count)]


def test_the_opening_counts_more_than_the_same_words_later() -> None:
    turns: list[tuple[str | None, list[str]]] = [
        ("A", ["The committee reviews rural school funding and teacher training today."])
    ]
    turns += _asides(40)
    turns += [("C", ["The committee reviews rural school funding, teacher training and school meals."])]
    turns += [("D", ["Free school meals came up again."])]
    summary = make_summary(turns, source="opening.json")
    assert cover(summary.sentences, 12) == [0]
    no_prior = CoverOptions(opening_boost=0.0)
    assert cover(summary.sentences, 12, options=no_prior) == [41]  # later, it covers one concept more


def test_a_sentence_saying_what_the_meeting_is_for_counts_more() -> None:
    turns = _asides(20)
    turns += [("Chair", ["Item two is an evidence session on rural school funding and teacher pay."])]
    turns += [("Ann", ["Rural school funding and teacher pay fell behind again this spring."])]
    summary = make_summary(turns, source="purpose.json")
    assert cover(summary.sentences, 14) == [20]
    assert cover(summary.sentences, 14, options=CoverOptions(purpose_boost=0.0)) == [21]


def test_protocol_counts_less_in_a_statement_but_a_welcome_names_a_meeting_s_guests() -> None:
    turns = _asides(20)
    turns += [(None, ["I congratulate the Minister for Education on her election, and welcome her."])]
    turns += [(None, ["The Minister for Education set out the plan to the members of the council."])]
    summary = make_summary(turns, source="protocol.json")
    assert cover(summary.sentences, 14, statement=True) == [21]
    assert cover(summary.sentences, 14) == [20]


@given(st.text(max_size=200))
def test_concepts_are_lower_case_and_pairs_are_made_of_concepts(text: str) -> None:
    found = concepts(text)
    assert concepts(text.upper()) == found or text.upper().lower() != text.lower()
    singles = {c for c in found if "_" not in c}
    for pair in found - singles:
        left, right = pair.split("_", 1)
        assert {left, right} <= singles


def test_a_brief_can_start_from_given_sentences() -> None:
    picked = cover(MEETING.sentences, 40, start=[11, 1, 8])  # 1 is back-channel: not a candidate
    assert picked[:2] == [11, 8]
    assert sum(word_counts([MEETING.sentences[i] for i in picked])) <= 40
    assert len(picked) > 2
    # Coverage goes on from what the start covers: once 9 and 5 are in, 8 says nothing new that recurs.
    stop = CoverOptions(fill=False)
    assert cover(MEETING.sentences, 100, options=stop) == [5, 8]
    assert cover(MEETING.sentences, 100, start=[9], options=stop) == [9, 5]


def test_records_are_the_summary_s_own_with_exact_offsets() -> None:
    for record in extractive_summary(MEETING, word_budget=100):
        assert MEETING.text[record.start : record.end] == record.text
        assert MEETING.sentences[record.i] is record


def test_fill_budget_skips_what_overflows_and_stops_when_full() -> None:
    lengths = [5, 9, 3, 0, 2]
    assert fill_budget([1, 0, 2, 3, 4], lengths, 10) == [1]
    assert fill_budget([0, 1, 2, 4], lengths, 10) == [0, 2, 4]
    assert fill_budget([3, 4], lengths, 10) == [4]  # an empty sentence adds nothing


def test_on_a_real_analysed_transcript(nlp: Language, taxonomy: Taxonomy, theme_model: ThemeModel) -> None:
    """The brief of a sample webinar: within budget, several sentences, no back-channel, in order."""
    path = Path(__file__).resolve().parents[1] / "corpus" / "samples" / "meeting_webinar.json"
    analyzer = Analyzer(nlp=nlp, taxonomy=taxonomy, model=theme_model)
    summary = next(analyse([read_document(path.read_bytes(), source=str(path))], analyzer=analyzer))
    assert isinstance(summary, DocumentSummary)
    chosen = extractive_summary(summary, word_budget=120)
    assert 60 < _words(chosen) <= 120
    assert all(r.candidate for r in chosen)
    assert [r.i for r in chosen] == sorted(r.i for r in chosen)
    assert len({r.speaker for r in chosen}) >= 2


def test_a_dominant_subject_does_not_crowd_out_the_others() -> None:
    # "budget" is in 9 sentences; teachers, laptops and broadband in 2 each. Weighted by the square
    # root of their mentions, one sentence naming the three smaller subjects comes first; weighted by
    # the raw count, any of the budget sentences would.
    moves = (
        "rose sharply",
        "fell slowly",
        "grew again",
        "shrank badly",
        "stalled twice",
        "doubled once",
        "halved quickly",
        "slipped back",
        "recovered fully",
    )
    summary = make_summary(
        [
            ("Bob", [f"The budget {move} yet again." for move in moves]),
            ("Cat", ["Teachers need laptops and broadband.", "Teachers, laptops and broadband matter."]),
        ],
        source="budgets.json",
    )
    square_root = CoverOptions(opening_boost=0.0, pairs=False)
    raw_count = CoverOptions(opening_boost=0.0, pairs=False, weight_exponent=1.0)
    assert CoverOptions().weight_exponent == square_root.weight_exponent
    assert cover(summary.sentences, 10, options=square_root)[:1] == [9]
    assert cover(summary.sentences, 10, options=raw_count)[:1] == [0]
