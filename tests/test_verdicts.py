"""Analysts' verdicts applied to stored summaries: themes overridden, takeaways chosen again, no spaCy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language

from nlp.analyse import Analyzer, analyse
from nlp.ingest import read_document
from nlp.summary import DocumentSummary
from nlp.taxonomy import Taxonomy
from nlp.training import ThemeModel
from nlp.verdicts import REVIEWED, apply_to_themes, apply_verdicts, reselect_takeaways

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"
THEMES = ("financing", "partnerships", "digital_equity", "teacher_capacity")


@dataclass(frozen=True)
class V:
    sentence_start: int
    sentence_end: int
    theme: str
    action: str
    new_theme: str | None = None


@pytest.fixture(scope="module")
def summaries(nlp: Language, taxonomy: Taxonomy, theme_model: ThemeModel) -> list[DocumentSummary]:
    analyzer = Analyzer(nlp=nlp, taxonomy=taxonomy, model=theme_model)
    names = ("meeting_board.txt", "statement_ministry.html", "statement_ngo.md", "meeting_committee.srt")
    documents = [read_document((SAMPLES / n).read_bytes(), source=str(SAMPLES / n)) for n in names]
    out = [s for s in analyse(documents, analyzer=analyzer) if isinstance(s, DocumentSummary)]
    assert len(out) == len(names)
    return out


@pytest.fixture(scope="module")
def labels(taxonomy: Taxonomy) -> dict[str, str]:
    return {t.id: t.label for t in taxonomy.themes}


verdict = st.builds(
    V,
    sentence_start=st.just(0),
    sentence_end=st.just(1),
    theme=st.sampled_from(THEMES),
    action=st.sampled_from(["accept", "reject", "relabel"]),
    new_theme=st.sampled_from(THEMES),
).map(lambda v: v if v.action == "relabel" else V(0, 1, v.theme, v.action))


@given(
    start=st.lists(st.sampled_from(THEMES), unique=True),
    made=st.lists(verdict, max_size=8),
    cut=st.integers(0, 8),
)
def test_later_verdicts_on_top_of_earlier_ones_equal_replaying_them_all(
    start: list[str], made: list[V], cut: int
) -> None:
    """What lets a run apply only the decisions made since the stored rows last took some in."""
    assert set(apply_to_themes(apply_to_themes(start, made[:cut]), made[cut:])) == set(
        apply_to_themes(start, made)
    )


def test_takeaways_chosen_again_from_stored_sentences_are_the_analysis_own(
    summaries: list[DocumentSummary], labels: dict[str, str], theme_model: ThemeModel
) -> None:
    """Re-selection without spaCy reproduces the analysis exactly when no theme changed: what changes
    after a decision is the decision's doing, not drift."""
    for summary in summaries:
        again = reselect_takeaways(summary, labels=labels, key_model=theme_model.key_sentences)
        assert again == summary.takeaways, summary.source


def test_a_rejected_headline_theme_leaves_the_sentence_and_its_takeaway(
    summaries: list[DocumentSummary], labels: dict[str, str], theme_model: ThemeModel
) -> None:
    summary = next(s for s in summaries if s.takeaways and s.takeaways[0].theme in labels)
    headline = summary.takeaways[0]
    applied = apply_verdicts(
        summary,
        [V(headline.start, headline.end, headline.theme, "reject")],
        labels=labels,
        key_model=theme_model.key_sentences,
    )
    after = applied.summary
    sentence = next(s for s in after.sentences if s.start == headline.start)
    assert applied.changed and sentence.reviewed and headline.theme not in sentence.themes
    assert (headline.start, headline.theme) not in {(t.start, t.theme) for t in after.takeaways}
    assert after.takeaways  # chosen again, not emptied
    untouched = [s for s in after.sentences if s.start != headline.start]
    assert untouched == [s for s in summary.sentences if s.start != headline.start]


def test_a_relabel_gives_the_analyst_theme_as_reviewed_and_accepting_changes_no_takeaway(
    summaries: list[DocumentSummary], labels: dict[str, str], theme_model: ThemeModel
) -> None:
    summary = next(s for s in summaries if s.takeaways and s.takeaways[0].theme in labels)
    headline = summary.takeaways[0]
    other = next(t for t in labels if t != headline.theme)
    kept = apply_verdicts(
        summary, [V(headline.start, headline.end, headline.theme, "accept")], labels=labels,
        key_model=theme_model.key_sentences,
    )  # fmt: skip
    assert not kept.changed and kept.summary.takeaways == summary.takeaways
    moved = apply_verdicts(
        summary, [V(headline.start, headline.end, headline.theme, "relabel", other)], labels=labels,
        key_model=theme_model.key_sentences,
    ).summary  # fmt: skip
    sentence = next(s for s in moved.sentences if s.start == headline.start)
    assert other in sentence.themes and sentence.reasons[other] == REVIEWED
    assert headline.theme not in sentence.themes


def test_a_verdict_on_a_sentence_the_document_no_longer_has_is_skipped(
    summaries: list[DocumentSummary], labels: dict[str, str]
) -> None:
    summary = summaries[0]
    applied = apply_verdicts(summary, [V(1, 2, "financing", "reject")], labels=labels, key_model=None)
    assert applied.skipped == 1 and not applied.changed and applied.summary == summary
