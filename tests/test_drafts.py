"""Reporter drafts: the seed article's lede and three takeaways, attributions, citations, checks, DOCX.

Every test that produces a draft passes it through ``assert_quotes_verbatim``: nothing a draft puts in
quotation marks may differ from its source by a single character.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import docx
import pytest
from spacy.language import Language

from flows.outputs.drafts import render_docx, render_markdown
from nlp.analyse import AnalysisFailure, Analyzer, analyse
from nlp.corpus import aggregate
from nlp.document import Document
from nlp.drafts import (
    DEFAULT_TEMPLATES,
    Draft,
    build_collection_draft,
    build_document_draft,
    draft_slug,
    event_phrase,
    select_collection,
    trim_point,
)
from nlp.ingest import read_document
from nlp.linguistic import reading_text
from nlp.summary import DocumentSummary
from nlp.taxonomy import Taxonomy
from nlp.training import ThemeModel
from tests.conftest import SHARED_DATA

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"
SEED = sorted((SHARED_DATA / "seed").glob("*.txt")) if (SHARED_DATA / "seed").is_dir() else []
_QUOTED = re.compile(r"“([^”]*)”")


def assert_quotes_verbatim(draft: Draft, summaries: Sequence[DocumentSummary], *renderings: str) -> None:
    """Every point and quote of ``draft`` is its source, verbatim but for transcript markup and fillers;
    every “…” in a rendering is too, and only words someone said are in quotation marks.

    A point may only lose a leading connective ("But", "However,") and trailing ":"; a quote only its
    final full stop or comma (the template punctuates around it)."""
    by_id = {s.id: s for s in summaries}
    texts = [" ".join(reading_text(s.text).split()) for s in summaries]
    for t in draft.takeaways:
        source = by_id[t.citation.document_id]
        core = " ".join(reading_text(source.text[t.citation.start : t.citation.end]).split())
        core = core.rstrip(":;, ")
        dropped = core[: len(core) - len(t.point)]
        assert core.endswith(t.point[1:]) and len(dropped.split()) <= 4, (t.point, core)
        assert core[len(dropped)].lower() == t.point[0].lower(), (t.point, core)
        if t.quote is not None:
            quoted = by_id[t.quote.citation.document_id]
            verbatim = quoted.text[t.quote.citation.start : t.quote.citation.end]
            assert reading_text(verbatim).rstrip(".,") == t.quote.text, t.quote
            for rendering in renderings:
                assert t.quote.text in rendering, t.quote.text
                if not t.quote.direct:
                    assert f"“{t.quote.text}" not in rendering, "words nobody said are not in quotation marks"
        for ref in [t.citation, *t.also_in]:
            assert ref.document_id in by_id
    for rendering in renderings:
        for inner in _QUOTED.findall(rendering):
            fragment = " ".join(inner.split()).rstrip(",.…").strip()
            assert fragment, rendering
            assert any(fragment in text for text in texts), f"“{inner}” is not in any source"


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def _render_all(
    draft: Draft, summaries: Sequence[DocumentSummary], templates: Path = DEFAULT_TEMPLATES
) -> str:
    markdown = render_markdown(draft, templates_dir=templates)
    assert not re.search(r"^>.*\n(?!\n)", markdown, re.MULTILINE), "a quote runs into the next line"
    word = docx_text(render_docx(draft, templates_dir=templates))
    assert_quotes_verbatim(draft, summaries, markdown, word)
    return markdown


@pytest.fixture(scope="module")
def summaries(nlp: Language, taxonomy: Taxonomy, theme_model: ThemeModel) -> dict[str, DocumentSummary]:
    """The samples a reporter would draft from, plus the seed article when ../shared is there."""
    paths = [SAMPLES / n for n in ("meeting_steering.vtt", "statement_ministry.html", "meeting_board.txt")]
    documents: list[Document] = [read_document(p.read_bytes(), source=str(p)) for p in [*paths, *SEED[:1]]]
    analyzer = Analyzer(nlp=nlp, taxonomy=taxonomy, model=theme_model)
    out = list(analyse(documents, analyzer=analyzer))
    assert not [o for o in out if isinstance(o, AnalysisFailure)]
    return {Path(s.source).name: s for s in out if isinstance(s, DocumentSummary)}


@pytest.fixture
def seed(summaries: dict[str, DocumentSummary]) -> DocumentSummary:
    if not SEED:
        pytest.skip(f"the seed article is not at {SHARED_DATA / 'seed'} (a fresh clone has no ../shared)")
    return summaries[SEED[0].name]


def test_seed_article_lede_and_its_three_takeaways(seed: DocumentSummary) -> None:
    draft = build_document_draft(seed)
    markdown = _render_all(draft, [seed])
    lede = draft.lede
    for fact in (
        "meeting of the Global Education Coalition",
        "25 March",
        "Paris",
        "Borhene Chakroun",
        "UNESCO",
    ):
        assert fact in lede, (fact, lede)
    assert [t.theme for t in draft.takeaways] == ["partnerships", "digital_equity", "teacher_capacity"]
    assert draft.headline.startswith("Three key takeaways from the fourth annual meeting")
    # the article lists its three takeaways as bullets: each point is the author's own bullet sentence
    assert draft.takeaways[0].point.startswith("Multistakeholder partnerships are pivotal")
    assert draft.takeaways[1].point.startswith("Digital technology holds significant potential")
    assert draft.takeaways[2].point.startswith("Teacher involvement is crucial")
    kinds = {c.kind for c in draft.checks}
    assert "date" in kinds  # no year
    # the article's sentences are nobody's quoted words: cited as text, never in quotation marks
    assert all(t.quote is None or not t.quote.direct for t in draft.takeaways)
    assert "> “" not in markdown
    assert any("25 March" in c.text and "year" in c.text for c in draft.checks)
    assert markdown.startswith("# Three key takeaways")
    assert "## Check before publishing" in markdown


def test_transcript_draft_cites_times_and_attributes_speakers(summaries: dict[str, DocumentSummary]) -> None:
    summary = summaries["meeting_steering.vtt"]
    draft = build_document_draft(summary)
    _render_all(draft, [summary])
    assert draft.takeaways
    for t in draft.takeaways:
        assert re.fullmatch(r"\d\d:\d\d:\d\d", t.citation.locator), t.citation
        assert t.quote is not None and t.quote.speaker in summary.speakers
        assert t.attribution == f"said {t.quote.speaker}" or (t.attribution or "").startswith(
            f"said {t.quote.speaker}, "
        )
    quoted = {t.quote.speaker for t in draft.takeaways if t.quote}
    roles = [c.text for c in draft.checks if c.kind == "role"]
    assert all(any(name in text for text in roles) for name in quoted if name)  # no roles in the call
    # the date is in the file's title cue, not in anything said: flagged, not silently used
    assert any("3 March 2025" in c.text for c in draft.checks if c.kind == "date")


def test_statement_quote_is_attributed_with_role(summaries: dict[str, DocumentSummary]) -> None:
    summary = summaries["statement_ministry.html"]
    draft = build_document_draft(summary)
    markdown = _render_all(draft, [summary])
    attributed = [t for t in draft.takeaways if t.attribution]
    assert attributed, markdown
    assert attributed[0].attribution == "said Grace Achterberg, Minister"
    assert attributed[0].quote is not None and attributed[0].quote.direct
    quotes = [t.quote.citation.start for t in draft.takeaways if t.quote]
    assert len(quotes) == len(set(quotes)), "one quotation is used for one takeaway only"
    assert all(t.citation.locator.startswith("paragraph ") for t in draft.takeaways)
    assert "8 April 2025" in draft.lede


def test_docx_says_what_the_markdown_says(summaries: dict[str, DocumentSummary]) -> None:
    summary = summaries["meeting_board.txt"]
    draft = build_document_draft(summary)
    _render_all(draft, [summary])
    document = docx.Document(io.BytesIO(render_docx(draft)))
    text = "\n".join(p.text for p in document.paragraphs)
    styles = {p.style.name for p in document.paragraphs if p.style is not None}
    assert document.core_properties.title == draft.headline
    assert {"Title", "Heading 1", "Quote", "List Bullet"} <= styles
    for piece in [
        draft.headline,
        draft.lede,
        *(t.point for t in draft.takeaways),
        *(c.text for c in draft.checks),
    ]:
        assert piece in text, piece
    assert "**" not in text and "> “" not in text  # Markdown syntax became Word formatting


def test_collection_draft_merges_documents_by_theme(summaries: dict[str, DocumentSummary]) -> None:
    chosen = list(summaries.values())
    draft = build_collection_draft(chosen, name="Education meetings")
    _render_all(draft, chosen)
    themes = [t.theme for t in draft.takeaways]
    assert len(themes) == len(set(themes)) and 1 <= len(themes) <= 5
    assert {s.document_id for s in draft.sources} == {s.id for s in chosen}
    assert any(t.also_in for t in draft.takeaways), "a theme several documents make cites them all"
    assert draft.headline.endswith("from Education meetings")
    assert draft.facts.event is None, "no document is about 'Education meetings': no event is made up"
    assert any("span" in c.text for c in draft.checks if c.kind == "date")
    assert draft_slug(draft) == "collection-education-meetings"


def test_collection_of_one_event_takes_its_facts_from_one_document(
    summaries: dict[str, DocumentSummary],
) -> None:
    chosen = select_collection(summaries.values(), "school board")
    assert [Path(s.source).name for s in chosen] == ["meeting_board.txt"]
    both = [*chosen, summaries["statement_ministry.html"]]
    draft = build_collection_draft(both, name="School Board")
    _render_all(draft, both)
    board = chosen[0].facts
    assert board.what is not None and draft.facts.event == event_phrase(board.what.text)
    assert draft.facts.when == "12 May 2025"
    assert any("confirm they hold for all 2 documents" in c.text for c in draft.checks)


def test_house_style_lives_in_the_templates(summaries: dict[str, DocumentSummary], tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    (templates / "headline.txt.j2").write_text("{{ count }} things we learned at {{ facts.event or name }}\n")
    draft_md = templates / "draft.md.j2"
    draft_md.write_text(draft_md.read_text().replace("## Check before publishing", "## Before you file"))
    summary = summaries["meeting_board.txt"]
    draft = build_document_draft(summary, templates_dir=templates)
    markdown = _render_all(draft, [summary], templates)
    assert draft.headline.startswith(f"{len(draft.takeaways)} things we learned at the regular meeting")
    assert "## Before you file" in markdown
    assert "Before you file" in docx_text(render_docx(draft, templates_dir=templates))


def test_a_document_without_facts_gets_checks_not_guesses(summaries: dict[str, DocumentSummary]) -> None:
    summary = summaries["meeting_board.txt"]
    bare = summary.model_copy(update={"facts": type(summary.facts)(), "date": None, "title": None})
    draft = build_document_draft(bare)
    _render_all(draft, [bare])
    assert "took place" not in draft.lede
    assert draft.facts.when is None and draft.facts.where is None
    assert any("does not say when" in c.text for c in draft.checks)
    for t in draft.takeaways:
        if t.attribution:  # speakers are still named, but their roles are unknown now
            assert t.attribution == f"said {t.quote.speaker}"  # type: ignore[union-attr]


def test_corpus_round_trip_keeps_drafts_identical(
    summaries: dict[str, DocumentSummary], taxonomy: Taxonomy
) -> None:
    """A draft built from summaries read back from JSON (as `takeaways draft` does) is the same draft."""
    summary = summaries["statement_ministry.html"]
    again = DocumentSummary.model_validate_json(summary.model_dump_json())
    first, second = build_document_draft(summary), build_document_draft(again)
    assert first == second
    _render_all(second, [again])
    aggregate([again], labels={t.id: t.label for t in taxonomy.themes})  # still a valid corpus input


@pytest.mark.parametrize(
    ("sentence", "point"),
    [
        ("But cooperation must happen.", "Cooperation must happen."),
        ("However, we know that equity matters.", "We know that equity matters."),
        (
            "First, the pooled teacher fund, then the dashboard.",
            "The pooled teacher fund, then the dashboard.",
        ),
        ("And so, finally, it works.", "It works."),
        ("Butter prices rose.", "Butter prices rose."),
        ("Mr. Chair, we made a number of changes.", "We made a number of changes."),
        ("President Ruto opened the summit.", "President Ruto opened the summit."),
        ("We will publish progress every year:", "We will publish progress every year"),
        ("Teachers\nneed   support.", "Teachers need support."),
    ],
)
def test_trim_point_only_drops_connectives(sentence: str, point: str) -> None:
    assert trim_point(sentence) == point


@pytest.mark.parametrize(
    ("what", "phrase"),
    [
        ("The fourth annual meeting of the Coalition", "the fourth annual meeting of the Coalition"),
        ("this session of the Education Committee", "the session of the Education Committee"),
        ("today's  hearing", "the hearing"),
        ("Open Classrooms Network webinar", "the Open Classrooms Network webinar"),
        ("World Education Forum", "the World Education Forum"),
        ("Davos 2025", "Davos 2025"),
        (
            "Children, Young People and Education Committee",
            "the meeting of the Children, Young People and Education Committee",
        ),
        (
            "15thmeeting of the House of Commons Special Committee",
            "the 15th meeting of the House of Commons Special Committee",
        ),
    ],
)
def test_event_phrase(what: str, phrase: str) -> None:
    assert event_phrase(what) == phrase


def test_a_documents_summary_file_is_written_after_its_draft(
    summaries: dict[str, DocumentSummary], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary file marks a document's files as whole: a write that dies on the draft leaves none."""
    from flows.outputs import files as outputs

    summary = summaries["meeting_board.txt"]
    assert summary.takeaways
    calls = 0

    def failing_docx(draft: Draft, *, templates_dir: Path) -> bytes:
        nonlocal calls
        calls += 1
        raise OSError("disk full")

    monkeypatch.setattr(outputs, "render_docx", failing_docx)
    with pytest.raises(OSError, match="disk full"):
        outputs.write_document_files([summary], tmp_path, DEFAULT_TEMPLATES)
    assert calls == 1
    assert not (tmp_path / "summaries" / f"{summary.id}.json").exists()

    monkeypatch.undo()
    written = outputs.write_document_files([summary], tmp_path, DEFAULT_TEMPLATES)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        f"drafts/{summary.id}.md",
        f"drafts/{summary.id}.docx",
        f"summaries/{summary.id}.json",
    ]


def test_a_document_re_analysed_without_takeaways_loses_its_old_draft(
    summaries: dict[str, DocumentSummary], tmp_path: Path
) -> None:
    from flows.outputs import files as outputs

    summary = summaries["meeting_board.txt"]
    outputs.write_document_files([summary], tmp_path, DEFAULT_TEMPLATES)
    assert len(list((tmp_path / "drafts").iterdir())) == 2
    bare = summary.model_copy(update={"takeaways": []})
    assert outputs.write_document_files([bare], tmp_path, DEFAULT_TEMPLATES) == [
        tmp_path / "summaries" / f"{summary.id}.json"
    ]
    assert not list((tmp_path / "drafts").iterdir())


def test_reading_text_drops_a_quotation_mark_that_pairs_with_nothing() -> None:
    """A sentence cut from a quoted passage keeps its opening mark in the source; shown alone as a
    headline, it would seem to open a quotation that the next quote in the draft closes."""
    assert reading_text("“I remain firm in my recommendation.") == "I remain firm in my recommendation."
    assert reading_text("we will overcome.”") == "We will overcome."
    assert reading_text("The theme, “A new commitment to action”, holds.") == (
        "The theme, “A new commitment to action”, holds."
    )
    assert reading_text("I want to say to him: “You are not the Sultan.") == (
        "I want to say to him: You are not the Sultan."
    )
    assert reading_text("“All of it,” he said.") == "“All of it,” he said."
