"""From documents to summaries: the acceptance cases, exact evidence offsets, hostile inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.language import Language

from nlp.analyse import AnalysisFailure, Analyzer, analyse
from nlp.document import Document
from nlp.ingest import read_document
from nlp.summary import DocumentSummary
from nlp.taxonomy import Taxonomy
from nlp.training import ThemeModel

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"


@pytest.fixture(scope="module")
def analyzer(nlp: Language, taxonomy: Taxonomy, theme_model: ThemeModel) -> Analyzer:
    return Analyzer(nlp=nlp, taxonomy=taxonomy, model=theme_model)


def _summaries(analyzer: Analyzer, documents: list[Document]) -> list[DocumentSummary]:
    out = list(analyse(documents, analyzer=analyzer))
    assert not [o for o in out if isinstance(o, AnalysisFailure)]
    return [o for o in out if isinstance(o, DocumentSummary)]


def _assert_verbatim(summary: DocumentSummary) -> None:
    text = summary.text
    spans = [*summary.sentences, *summary.quotes, *summary.entities]
    for takeaway in summary.takeaways:
        assert text[takeaway.start : takeaway.end] == takeaway.text
        spans.extend(takeaway.evidence)
    for span in spans:
        assert text[span.start : span.end] == span.text, span


def test_seed_article_top_three_takeaways_and_lede_facts(analyzer: Analyzer, shared_data: Path) -> None:
    path = next((shared_data / "seed").glob("*.txt"))
    (summary,) = _summaries(analyzer, [read_document(path.read_bytes(), source=str(path))])
    top = summary.takeaways[:3]
    assert {t.theme for t in top} == {"partnerships", "digital_equity", "teacher_capacity"}
    bullet_openers = {
        "partnerships": "Multistakeholder partnerships are pivotal",
        "digital_equity": "Digital technology holds significant potential",
        "teacher_capacity": "Teacher involvement is crucial",
    }
    for takeaway in top:
        stated = [takeaway.text, *(e.text for e in takeaway.evidence)]
        assert any(s.startswith(bullet_openers[takeaway.theme]) for s in stated), takeaway
    facts = summary.facts
    assert (
        facts.what is not None
        and "fourth annual meeting of the Global Education Coalition" in facts.what.text
    )
    assert facts.when is not None and "25 March" in facts.when.text
    assert facts.where is not None and facts.where.text == "Paris"
    chakroun = next(p for p in facts.people if p.name == "Borhene Chakroun")
    assert chakroun.organisation == "UNESCO"
    _assert_verbatim(summary)


def test_education_committee_meeting_takeaways_are_substantive_and_attributed(
    analyzer: Analyzer, shared_data: Path
) -> None:
    path = shared_data / "qmsum" / "val" / "education_0.json"
    if not path.exists():
        path = sorted((shared_data / "qmsum").glob("*/education_*.json"))[0]
    document = read_document(path.read_bytes(), source=str(path))
    (summary,) = _summaries(analyzer, [document])
    assert len(summary.takeaways) >= 3
    turns = json.loads(path.read_text())["meeting_transcripts"]
    for takeaway in summary.takeaways:
        assert len(takeaway.text.split()) >= 8, takeaway.text
        assert not takeaway.text.rstrip().endswith("?")
        segment = next(s for s in document.segments if s.start <= takeaway.start < s.end)
        assert takeaway.speaker == segment.speaker == turns[segment.source_index]["speaker"]
        # the reader turns non-breaking spaces into spaces (documented normalization)
        assert takeaway.text in turns[segment.source_index]["content"].replace("\xa0", " ")
    _assert_verbatim(summary)


def test_every_sample_summary_is_verbatim_and_themed(analyzer: Analyzer) -> None:
    documents = [read_document(p.read_bytes(), source=str(p)) for p in sorted(SAMPLES.iterdir())]
    summaries = _summaries(analyzer, documents)
    assert len(summaries) == len(documents)
    for summary in summaries:
        _assert_verbatim(summary)
        assert summary.takeaways, summary.source
        assert all(t.theme in analyzer.taxonomy.ids or t.theme == "other" for t in summary.takeaways)
        assert [t.rank for t in summary.takeaways] == list(range(1, len(summary.takeaways) + 1))
        headlines = [t.start for t in summary.takeaways]
        assert len(set(headlines)) == len(headlines), "a sentence heads at most one takeaway"


def test_near_duplicate_sentences_do_not_make_two_takeaways(analyzer: Analyzer) -> None:
    text = (
        b"Teachers must receive training in digital tools before devices reach classrooms.\n\n"
        b"Teachers must receive training in digital tools before any devices reach classrooms.\n\n"
        b"The national budget for schools must rise to six per cent of GDP by 2030.\n\n"
        b"Girls in rural areas must be able to stay in school until they finish secondary education.\n"
    )
    (summary,) = _summaries(analyzer, [read_document(text, source="dup.txt")])
    headlines = [t.text for t in summary.takeaways]
    assert sum("devices reach classrooms" in h for h in headlines) == 1


HOSTILE = {
    "long_sentence": ("word " * 10_000 + "teachers.").encode(),
    "no_letters": b"1234 5678 -- !!! ??? 42 %%% 9.99\n\n+++ ### 000\n",
    "only_quotes": '\u201c\u201d " " \'\' \u201c\u201c " \u201d\u201d\n'.encode(),
    "emoji": "\U0001f4da\U0001f393 Teachers \U0001f469\u200d\U0001f3eb need support \U0001f64f\n".encode(),
    "right_to_left": (
        "\u0627\u0644\u062a\u0639\u0644\u064a\u0645 \u062d\u0642 \u0644\u0643\u0644 \u0637\u0641\u0644. "
        "\u05d7\u05d9\u05e0\u05d5\u05da \u05d4\u05d5\u05d0 \u05d6\u05db\u05d5\u05ea.\n"
    ).encode(),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_inputs_give_a_summary_never_a_crash(analyzer: Analyzer, name: str) -> None:
    (summary,) = _summaries(analyzer, [read_document(HOSTILE[name], source=f"{name}.txt")])
    _assert_verbatim(summary)
