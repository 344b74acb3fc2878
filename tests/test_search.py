"""Sentence search: BM25 ranking, theme boost, document filter, exact offsets, determinism."""

from __future__ import annotations

from collections.abc import Sequence

from nlp.document import Segment, text_id
from nlp.linguistic import clean_transcript_text, is_substantive
from nlp.search import SearchIndex, stem, terms
from nlp.summary import DocumentSummary, EventFacts, ModelInfo, SentenceRecord, Takeaway
from nlp.taxonomy import Taxonomy, Theme

Turn = tuple[str | None, list[str]]


def make_summary(
    turns: list[Turn],
    *,
    source: str,
    themes: dict[int, dict[str, float]] | None = None,
    headlines: Sequence[int] = (),
) -> DocumentSummary:
    """A summary built by hand: turns separated by blank lines, offsets exact, themes as given, and
    takeaways headed by the sentences ``headlines`` lists, in rank order."""
    themes = themes or {}
    text = ""
    segments: list[Segment] = []
    records: list[SentenceRecord] = []
    for speaker, sentences in turns:
        if text:
            text += "\n\n"
        seg_start = len(text)
        for k, sentence in enumerate(sentences):
            if k:
                text += " "
            start = len(text)
            text += sentence
            i = len(records)
            records.append(
                SentenceRecord(
                    i=i,
                    text=sentence,
                    start=start,
                    end=len(text),
                    speaker=speaker,
                    themes=themes.get(i, {}),
                    reasons=dict.fromkeys(themes.get(i, {}), "model"),
                    candidate=is_substantive(clean_transcript_text(sentence)),
                )
            )
        segments.append(Segment(speaker=speaker, start=seg_start, end=len(text), kind="turn"))
    return DocumentSummary(
        id=text_id(text),
        source=source,
        title=None,
        format="json",
        kind="transcript",
        date=None,
        speakers=list(dict.fromkeys(s for s, _ in turns if s)),
        text=text,
        segments=segments,
        sentences=records,
        takeaways=[
            Takeaway(
                rank=rank,
                theme=next(iter(records[i].themes), "other"),
                theme_label="",
                text=records[i].text,
                start=records[i].start,
                end=records[i].end,
                speaker=records[i].speaker,
                score=1.0 / rank,
                reason="",
            )
            for rank, i in enumerate(headlines, start=1)
        ],
        quotes=[],
        entities=[],
        facts=EventFacts(),
        keyphrases=[],
        model=ModelInfo(spacy_pipeline="test", theme_model="test", taxonomy="test"),
    )


BUDGET = make_summary(
    [
        ("Chair", ["Welcome, everyone, to the finance committee.", "Yeah."]),
        ("Ann Jones", ["The school budget was cut by ten percent this year.", "Funding for buses is gone."]),
        ("Bob Smith", ["Teachers leave because of workload.", "The budget for teacher training is flat."]),
        ("Chair", ["Thank you both; let us turn to digital devices in classrooms."]),
    ],
    source="budget.json",
    themes={
        2: {"financing": 0.9},
        3: {"financing": 0.8},
        4: {"teacher_capacity": 0.95},
        5: {"teacher_capacity": 0.7, "financing": 0.6},
        6: {"digital_equity": 0.8},
    },
)
OTHER = make_summary(
    [
        ("Dee", ["Our budget for laptops ran out in March.", "Rural pupils still lack devices."]),
        ("Eve", ["We need more teachers trained in online teaching."]),
    ],
    source="other.json",
    themes={0: {"financing": 0.7, "digital_equity": 0.6}, 1: {"digital_equity": 0.9}},
)
TAXONOMY = Taxonomy(
    themes=[
        Theme(id="financing", label="Financing", definition="money", patterns=["budget", "fund"]),
        Theme(id="teacher_capacity", label="Teachers", definition="teachers", patterns=["teacher training"]),
        Theme(id="digital_equity", label="Digital equity", definition="tech", patterns=["device", "online"]),
    ]
)


def index() -> SearchIndex:
    return SearchIndex.build([BUDGET, OTHER], taxonomy=TAXONOMY)


def test_stemming_meets_plurals_and_verb_forms() -> None:
    assert stem("teachers") == stem("teacher") == stem("teaching") == "teach"
    assert stem("funding") == stem("funds") == stem("funded") == "fund"
    assert terms("The {disfmarker} uh Teachers were TRAINED.") == ["teach", "train"]


def test_the_sentence_with_the_rarer_query_word_ranks_first() -> None:
    hits = index().search("buses funding", top_k=3)
    assert hits[0].text == "Funding for buses is gone."
    assert hits[0].speaker == "Ann Jones"
    assert hits[0].source == "budget.json"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_offsets_point_at_the_evidence_in_the_document_text() -> None:
    summaries = {s.id: s for s in (BUDGET, OTHER)}
    hits = index().search("budget", top_k=10)
    assert len(hits) == 3
    for hit in hits:
        assert summaries[hit.document_id].text[hit.start : hit.end] == hit.text
        assert summaries[hit.document_id].sentences[hit.i].text == hit.text


def test_doc_filter_keeps_one_document_by_id_source_or_id_prefix() -> None:
    idx = index()
    for doc in (OTHER.id, "other.json", OTHER.id[:12]):
        hits = idx.search("budget", doc=doc)
        assert hits
        assert {h.document_id for h in hits} == {OTHER.id}
    assert idx.search("budget", doc="no-such-document") == []


def test_explicit_theme_boosts_its_sentences_without_filtering() -> None:
    idx = index()
    plain = idx.search("budget", doc=BUDGET.id)
    assert plain[0].text == "The school budget was cut by ten percent this year."
    boosted = idx.search("budget", doc=BUDGET.id, theme="teacher_capacity")
    assert boosted[0].text == "The budget for teacher training is flat."
    assert {h.text for h in boosted} == {h.text for h in plain}
    assert boosted[0].score > plain[0].score


def test_a_query_naming_a_theme_boosts_that_theme() -> None:
    idx = index()
    both = ["financing", "teacher_capacity"]
    assert idx.query_themes("What was said about teacher training budgets?") == both
    assert idx.query_themes("the weather") == []
    themed = idx.search("lack devices", doc=OTHER.id)
    plain = SearchIndex.build([BUDGET, OTHER]).search("lack devices", doc=OTHER.id)
    assert [h.text for h in themed] == [h.text for h in plain] == ["Rural pupils still lack devices."]
    assert abs(themed[0].score - plain[0].score * (1 + 0.5 * 0.9)) < 1e-5


def test_question_boilerplate_is_not_searched_and_speakers_named_are_boosted() -> None:
    idx = index()
    assert idx.search("Summarize the discussion") == []
    hits = idx.search("What did Bob think about the budget?", doc=BUDGET.id)
    assert hits[0].speaker == "Bob Smith"


def test_theme_only_search_ranks_by_theme_probability() -> None:
    hits = index().search("", theme="digital_equity", top_k=2)
    assert [h.text for h in hits] == [
        "Rural pupils still lack devices.",
        "Thank you both; let us turn to digital devices in classrooms.",
    ]


def test_results_are_deterministic_and_unknown_words_find_nothing() -> None:
    assert index().search("budget devices teachers") == index().search("budget devices teachers")
    assert index().search("xylophone") == []
    assert SearchIndex.build([]).search("budget") == []
    assert index().search("budget", top_k=0) == []
