"""The analyst report: one static HTML file with plots, every takeaway linked to its source span, all
document text escaped; and the same file as headless Chromium renders it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import lxml.html
import pytest
from lxml.html import HtmlElement
from spacy.language import Language

import flows.report_html as report_html
from flows.report_html import render_report, span_anchor
from nlp.analyse import AnalysisFailure, Analyzer, analyse
from nlp.corpus import CorpusSummary, aggregate
from nlp.drafts import locator
from nlp.ingest import read_document
from nlp.summary import DocumentSummary
from nlp.taxonomy import Taxonomy
from nlp.training import ThemeModel
from tests.support.chromium import dump_dom, require_chromium, screenshot

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"
GENERATED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
SECTIONS = (
    "overview",
    "prevalence",
    "over-time",
    "heatmap",
    "speakers",
    "emerging",
    "takeaways",
    "documents",
)
HOSTILE = """\
Partnerships <script>document.title='PWNED'</script> briefing

Governments, donors and civil society must build partnerships <script>document.title='PWNED'</script> \
to fund teacher training and coordinate their support for schools.

Teachers need training <img src=x onerror="document.body.setAttribute('data-pwned','1')"> and support \
from the ministry, and the ministry must pay teachers on time.

Digital devices and connectivity <a href="javascript:document.title='PWNED'">click</a> should reach \
rural schools so that online learning closes the digital divide.
"""


def parse(html: str) -> HtmlElement:
    return lxml.html.document_fromstring(html)


def nodes(root: HtmlElement, path: str) -> list[HtmlElement]:
    found = root.xpath(path)
    assert isinstance(found, list)
    return [n for n in found if isinstance(n, HtmlElement)]


def strings(root: HtmlElement, path: str) -> list[str]:
    found = root.xpath(path)
    assert isinstance(found, list)
    return [str(n) for n in found]


def by_id(root: HtmlElement, element_id: str) -> HtmlElement:
    (found,) = nodes(root, f"//*[@id='{element_id}']")
    return found


def all_ids(root: HtmlElement) -> set[str]:
    return set(strings(root, "//@id"))


@pytest.fixture(scope="module")
def corpus_and_summaries(
    nlp: Language, taxonomy: Taxonomy, theme_model: ThemeModel
) -> tuple[CorpusSummary, list[DocumentSummary]]:
    """Dated transcripts and statements from the samples, plus a document full of markup."""
    names = ("meeting_steering.vtt", "meeting_board.txt", "statement_ministry.html", "statement_ngo.md")
    documents = [read_document((SAMPLES / n).read_bytes(), source=str(SAMPLES / n)) for n in names]
    documents.append(read_document(HOSTILE.encode(), source="hostile<script>.txt"))
    analyzer = Analyzer(nlp=nlp, taxonomy=taxonomy, model=theme_model)
    out = list(analyse(documents, analyzer=analyzer))
    assert not [o for o in out if isinstance(o, AnalysisFailure)]
    summaries = [o for o in out if isinstance(o, DocumentSummary)]
    return aggregate(summaries, labels={t.id: t.label for t in taxonomy.themes}), summaries


@pytest.fixture(scope="module")
def html(corpus_and_summaries: tuple[CorpusSummary, list[DocumentSummary]]) -> str:
    corpus, summaries = corpus_and_summaries
    return render_report(corpus, summaries, generated=GENERATED)


def test_sections_plots_and_nothing_remote(html: str) -> None:
    page = parse(html)
    for section in SECTIONS:
        assert nodes(page, f"//*[@id='{section}']"), section
    images = nodes(page, "//img")
    assert len(images) >= 4  # prevalence, over time, documents x themes, speakers x themes
    assert all(
        img.get("src", "").startswith("data:image/svg+xml;base64,") and img.get("alt") for img in images
    )
    assert not nodes(page, "//script|//iframe|//object|//embed|//link[@href]|//*[@srcset]")
    for element in page.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            if name in {"href", "src"}:
                assert value.startswith(("#", "data:")), (name, value)
    policy = strings(page, "//meta[@http-equiv='Content-Security-Policy']/@content")
    assert policy and "default-src 'none'" in policy[0] and "script-src" not in policy[0]


def test_every_takeaway_has_a_row_whose_links_land_on_its_sentences(
    html: str, corpus_and_summaries: tuple[CorpusSummary, list[DocumentSummary]]
) -> None:
    _, summaries = corpus_and_summaries
    page = parse(html)
    ids = all_ids(page)
    dangling = [h for h in strings(page, "//a/@href") if h.startswith("#") and h[1:] not in ids]
    assert not dangling, dangling[:5]
    rows = nodes(page, "//table[contains(@class, 'takeaways')]/tbody/tr[@id]")
    assert len(rows) == sum(len(s.takeaways) for s in summaries) > 0
    for s in summaries:
        for t in s.takeaways:
            row = by_id(page, f"tk-{s.id[:12]}-{t.rank}")
            targets = {h[1:] for h in strings(row, ".//a/@href")}
            for start, end, text in [
                (t.start, t.end, t.text),
                *((e.start, e.end, e.text) for e in t.evidence),
            ]:
                anchor = span_anchor(s.id, start, end)
                assert anchor in targets
                mark = by_id(page, anchor)
                assert mark.tag == "mark" and text.startswith(mark.text_content())
                assert nodes(mark, f"ancestor::div[@id='doc-{s.id[:12]}']"), "the span sits in its document"


def test_document_text_is_escaped_everywhere(html: str) -> None:
    assert "<script" not in html.lower()
    assert "&lt;script&gt;document.title=" in html  # shown as text, in the table and the document
    assert 'onerror="' not in html and "<img src=x" not in html
    page = parse(html)
    assert "PWNED" not in (page.findtext(".//title") or "")
    hostile = [d for d in nodes(page, "//div[@class='doc']") if "Partnerships <script>" in d.text_content()]
    assert hostile, "the hostile document's text is in the report, as text"


def test_same_input_same_file(
    html: str, corpus_and_summaries: tuple[CorpusSummary, list[DocumentSummary]]
) -> None:
    corpus, summaries = corpus_and_summaries
    assert render_report(corpus, summaries, generated=GENERATED) == html


def test_empty_corpus_and_long_documents(
    corpus_and_summaries: tuple[CorpusSummary, list[DocumentSummary]], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, summaries = corpus_and_summaries
    empty = render_report(aggregate([], labels=corpus.themes), [], generated=GENERATED)
    assert "No documents." in empty and "<img" not in empty
    monkeypatch.setattr(report_html, "FULL_TEXT_LIMIT", 200)  # every sample is "long" now
    abridged = parse(render_report(corpus, summaries, generated=GENERATED))
    ids = all_ids(abridged)
    assert all(h[1:] in ids for h in strings(abridged, "//a/@href") if h.startswith("#"))
    assert nodes(abridged, "//p[@class='gap']"), "left-out paragraphs are marked"


def test_chromium_renders_plots_and_runs_nothing(html: str, tmp_path: Path) -> None:
    executable = require_chromium()
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    dom = parse(dump_dom(page, executable=executable))
    assert len(nodes(dom, "//img[starts-with(@src, 'data:image/svg+xml')]")) >= 4
    assert not nodes(dom, "//script"), "no script element reached the DOM"
    assert not nodes(dom, "//*[@data-pwned]") and "PWNED" not in (dom.findtext(".//title") or "")
    assert not strings(dom, "//@*[starts-with(name(), 'on')]"), "no event-handler attribute"
    assert nodes(dom, "//*[@id='takeaways']//tr[@id]")
    png = screenshot(page, tmp_path / "report.png", executable=executable)
    target = os.environ.get("TAKEAWAYS_REPORT_SCREENSHOT")  # e.g. /tmp/report.png, to look at it
    if target:
        shutil.copyfile(png, target)
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 50_000, "a blank page compresses to almost nothing"


def test_paragraph_numbers_and_times_match_the_drafts_citations(
    corpus_and_summaries: tuple[CorpusSummary, list[DocumentSummary]],
) -> None:
    """The report labels each paragraph or turn as a draft cites it, so a reporter finds the citation."""
    _, summaries = corpus_and_summaries
    for s in summaries:
        assert report_html._segment_locators(s) == [locator(s, g.start) for g in s.segments]
