"""The extractive summary: takeaway headlines first, salient sentences next, never back-channel, in budget."""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language

from nlp.analyse import Analyzer, analyse
from nlp.extractive import extractive_summary, fill_budget, ranked_sentences, word_counts
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
    themes={
        3: {"financing": 0.9},
        5: {"teacher_capacity": 0.9, "digital_equity": 0.5},
        6: {"digital_equity": 0.95},
        9: {"teacher_capacity": 0.8, "financing": 0.7},
    },
    headlines=[9, 3],
)
BACKCHANNEL = {"Okay.", "Yeah.", "Mm-hmm.", "Right.", "Thank you."}


def _words(records: list[SentenceRecord]) -> int:
    return sum(len(clean_transcript_text(r.text).split()) for r in records)


def test_it_starts_with_the_takeaway_headlines_in_document_order() -> None:
    chosen = extractive_summary(MEETING, word_budget=60)
    assert [r.i for r in chosen[:2]] == [3, 9]
    assert [r.i for r in chosen[2:]] == sorted(r.i for r in chosen[2:])
    assert len(chosen) > 2


def test_headlines_are_taken_in_rank_order_when_not_all_fit() -> None:
    chosen = extractive_summary(MEETING, word_budget=14)
    assert [r.i for r in chosen] == [9]  # rank 1 (13 words) fits; rank 2 (13 more) does not


def test_budget_is_respected_counting_words_after_clean_up() -> None:
    for budget in (0, 5, 13, 20, 33, 50, 200):
        chosen = extractive_summary(MEETING, word_budget=budget)
        assert _words(chosen) <= budget
    assert extractive_summary(MEETING, word_budget=0) == []
    assert word_counts([MEETING.sentences[8]]) == [9]  # the {disfmarker} and the stutter do not count


def test_back_channel_never_appears_even_with_room_to_spare() -> None:
    chosen = extractive_summary(MEETING, word_budget=10_000)
    texts = {r.text for r in chosen}
    assert not texts & BACKCHANNEL
    assert all(r.candidate for r in chosen)
    assert len(chosen) == sum(r.candidate for r in MEETING.sentences)


def test_further_sentences_follow_salience_and_theme() -> None:
    order = ranked_sentences(MEETING)
    assert order[:2] == [9, 3]
    later = order[2:]
    assert later.index(5) < later.index(0)  # a themed claim before a greeting (framing)
    assert later.index(6) < later.index(11)  # before logistics


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
    """The pipeline's own summary of a sample webinar: headlines first, within budget, no back-channel."""
    path = Path(__file__).resolve().parents[1] / "corpus" / "samples" / "meeting_webinar.json"
    analyzer = Analyzer(nlp=nlp, taxonomy=taxonomy, model=theme_model)
    summary = next(analyse([read_document(path.read_bytes(), source=str(path))], analyzer=analyzer))
    assert isinstance(summary, DocumentSummary)
    assert summary.takeaways
    chosen = extractive_summary(summary, word_budget=120)
    assert 0 < _words(chosen) <= 120
    assert all(r.candidate for r in chosen)
    headlines = {(t.start, t.end) for t in summary.takeaways}
    flags = [(r.start, r.end) in headlines for r in chosen]
    assert flags[0]
    assert flags == sorted(flags, reverse=True)  # all headlines that fit come before any other sentence
