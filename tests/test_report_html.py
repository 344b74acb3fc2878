"""The analyst report: an overview page with plots, a takeaways table that filters in the browser, one
page per document where every takeaway's links land on its sentences; all document text escaped; the
pages as headless Chromium renders them."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import json
import os
import re
import shutil
from pathlib import Path

import lxml.html
import pytest
from lxml.html import HtmlElement
from spacy.language import Language

import flows.outputs.report as report_html
from flows.outputs.report import document_page, render_site, span_anchor
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
def site(corpus_and_summaries: tuple[CorpusSummary, list[DocumentSummary]]) -> dict[str, str]:
    corpus, summaries = corpus_and_summaries
    return render_site(corpus, summaries, generated=GENERATED)


def _written(site: dict[str, str], folder: Path) -> Path:
    for relative, html in site.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(html, encoding="utf-8")
    return folder


def _table_rows(site: dict[str, str]) -> list[list[object]]:
    page = parse(site["report/takeaways.html"])
    (block,) = strings(page, "//script[@type='application/json' and @id='rows']/text()")
    rows: list[list[object]] = json.loads(block)["rows"]
    return rows


def test_pages_plots_and_nothing_remote(site: dict[str, str]) -> None:
    overview = parse(site["report.html"])
    for section in SECTIONS:
        assert nodes(overview, f"//*[@id='{section}']"), section
    images = nodes(overview, "//img")
    assert len(images) == 3  # prevalence, documents x themes, speakers x themes (no month has 5 documents)
    assert all(
        img.get("src", "").startswith("data:image/svg+xml;base64,") and img.get("alt") for img in images
    )
    for relative, html in site.items():
        page = parse(html)
        assert not nodes(page, "//iframe|//object|//embed|//link[@href]|//*[@srcset]"), relative
        for element in page.iter():
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), (relative, element.tag, name)
                if name in {"href", "src"}:
                    assert not re.match(r"^[a-z]+:", value) or value.startswith("data:"), (relative, value)
        (policy,) = strings(page, "//meta[@http-equiv='Content-Security-Policy']/@content")
        assert "default-src 'none'" in policy, relative
        scripts = nodes(page, "//script[not(@type='application/json')]")
        if relative != "report/takeaways.html":
            assert not scripts and "script-src" not in policy, relative
            continue
        (script,) = scripts  # the table's one script, allowed by its hash and by nothing else
        digest = hashlib.sha256((script.text or "").encode()).digest()
        assert f"script-src 'sha256-{base64.b64encode(digest).decode()}';" in policy
        assert not script.get("src") and "unsafe-inline' ;" not in policy.split("script-src")[1][:40]


def test_every_takeaway_is_in_the_table_and_its_links_land_on_its_sentences(
    site: dict[str, str], corpus_and_summaries: tuple[CorpusSummary, list[DocumentSummary]]
) -> None:
    _, summaries = corpus_and_summaries
    assert len(_table_rows(site)) == sum(len(s.takeaways) for s in summaries) > 0
    for s in summaries:
        page = parse(site[document_page(s.id)])
        ids = all_ids(page)
        dangling = [h for h in strings(page, "//a/@href") if h.startswith("#") and h[1:] not in ids]
        assert not dangling, dangling[:5]
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
    listed = parse(site["report/documents.html"])
    links = set(strings(listed, "//table[@class='documents']//a/@href"))
    assert links == {document_page(s.id).removeprefix("report/") for s in summaries}


def test_document_text_is_escaped_everywhere(site: dict[str, str]) -> None:
    every = "".join(site.values())
    for relative, html in site.items():  # the table's data block and script, and nothing else
        assert html.lower().count("<script") == (2 if relative == "report/takeaways.html" else 0), relative
    assert 'onerror="' not in every and "<img src=x" not in every
    assert "&lt;script&gt;document.title=" in every  # shown as text on the hostile document's page
    block = site["report/takeaways.html"].split('id="rows">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block and "&" not in block, "nothing in the data can close it"
    rows = _table_rows(site)
    texts = [str(r[3]) for r in rows] + [str(e[0]) for r in rows for e in r[9]]  # type: ignore[attr-defined]
    assert any("<img src=x" in t or "<script>" in t or "<a href" in t for t in texts), "data keeps text as is"


def test_same_input_same_pages(
    site: dict[str, str], corpus_and_summaries: tuple[CorpusSummary, list[DocumentSummary]]
) -> None:
    corpus, summaries = corpus_and_summaries
    assert render_site(corpus, summaries, generated=GENERATED) == site


def test_empty_corpus_and_long_documents(
    corpus_and_summaries: tuple[CorpusSummary, list[DocumentSummary]], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, summaries = corpus_and_summaries
    empty = render_site(aggregate([], labels=corpus.themes), [], generated=GENERATED)
    assert "No documents." in empty["report.html"] and "<img" not in empty["report.html"]
    monkeypatch.setattr(report_html, "FULL_TEXT_LIMIT", 200)  # every sample is "long" now
    for s in summaries:
        abridged = parse(render_site(corpus, summaries, generated=GENERATED)[document_page(s.id)])
        ids = all_ids(abridged)
        assert all(h[1:] in ids for h in strings(abridged, "//a/@href") if h.startswith("#"))
    assert nodes(abridged, "//p[@class='gap']"), "left-out paragraphs are marked"


def test_a_trend_needs_enough_documents_in_each_month(
    corpus_and_summaries: tuple[CorpusSummary, list[DocumentSummary]],
) -> None:
    corpus, summaries = corpus_and_summaries
    assert len(corpus.prevalence_by_date) >= 2  # two dated months, one or two documents each
    overview = render_site(corpus, summaries, generated=GENERATED)["report.html"]
    section = parse(overview).xpath("//*[@id='over-time']")[0]
    assert not nodes(section, ".//img"), "no line through months that hold one or two documents"
    assert "at least two months with 5 or more dated documents" in section.text_content()


def test_chromium_renders_the_pages_and_runs_only_the_table_script(
    site: dict[str, str], tmp_path: Path, corpus_and_summaries: tuple[CorpusSummary, list[DocumentSummary]]
) -> None:
    executable = require_chromium()
    folder = _written(site, tmp_path)
    dom = parse(dump_dom(folder / "report.html", executable=executable))
    assert len(nodes(dom, "//img[starts-with(@src, 'data:image/svg+xml')]")) >= 3
    assert not nodes(dom, "//script"), "no script element reached the overview"
    _, summaries = corpus_and_summaries
    theme = summaries[0].takeaways[0].theme
    table = parse(dump_dom(folder / "report/takeaways.html", executable=executable, query=f"?theme={theme}"))
    shown = nodes(table, "//table[@id='table']/tbody/tr[@data-row]")
    expected = sum(1 for s in summaries for t in s.takeaways if t.theme == theme)
    assert len(shown) == expected > 0, "the table shows exactly the takeaways of the theme in the address"
    assert f"{expected} of {sum(len(s.takeaways) for s in summaries)} takeaways" in table.text_content()
    for page in (folder / "report/takeaways.html", *sorted((folder / "report/documents").glob("*.html"))):
        rendered = parse(dump_dom(page, executable=executable))
        assert not nodes(rendered, "//*[@data-pwned]") and "PWNED" not in (
            rendered.findtext(".//title") or ""
        )
        assert not strings(rendered, "//@*[starts-with(name(), 'on')]"), "no event-handler attribute"
    png = screenshot(folder / "report/takeaways.html", tmp_path / "report.png", executable=executable)
    target = os.environ.get("TAKEAWAYS_REPORT_SCREENSHOT")  # e.g. /tmp/report.png, to look at it
    if target:
        shutil.copyfile(png, target)
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 50_000, "a blank page compresses to almost nothing"


def test_a_thousand_documents_make_a_light_overview_and_a_table_that_reaches_every_takeaway(
    corpus_and_summaries: tuple[CorpusSummary, list[DocumentSummary]], tmp_path: Path
) -> None:
    """Generated from the samples: 1,000 dated documents (the document pages are not needed here)."""
    corpus, summaries = corpus_and_summaries
    themed = [s for s in summaries if s.takeaways]
    many = [
        themed[n % len(themed)].model_copy(
            update={
                "id": f"{n:06d}" + themed[n % len(themed)].id[6:],
                "title": f"Meeting {n}",
                "date": dt.date(2020, 1, 1) + dt.timedelta(days=n),
            }
        )
        for n in range(1000)
    ]
    big = aggregate(many, labels=corpus.themes)
    index = report_html.ReportIndex(dict(big.themes))
    for s in many:
        index.add(s)
    pages = dict(itertools.islice(report_html.report_pages(big, index, many, generated=GENERATED), 3))
    site = {path: "".join(chunks) for path, chunks in pages.items()}
    assert len(site["report.html"].encode()) < 1_000_000, "the overview stays light"
    overview = parse(site["report.html"])
    assert nodes(overview, "//*[@id='over-time']//img"), "33 months of 30 documents each make a trend"
    rows = _table_rows(site)
    assert len(rows) == sum(len(s.takeaways) for s in many)
    folder = _written(site, tmp_path)
    middle = many[567]
    table = parse(
        dump_dom(
            folder / "report/takeaways.html", executable=require_chromium(), query=f"?doc={middle.id[:12]}"
        )
    )
    shown = nodes(table, "//table[@id='table']/tbody/tr[@data-row]")
    assert len(shown) == len(middle.takeaways), "filtered to one document, all of its takeaways"
    assert all("Meeting 567" in row.text_content() for row in shown)


def test_paragraph_numbers_and_times_match_the_drafts_citations(
    corpus_and_summaries: tuple[CorpusSummary, list[DocumentSummary]],
) -> None:
    """The report labels each paragraph or turn as a draft cites it, so a reporter finds the citation."""
    _, summaries = corpus_and_summaries
    for s in summaries:
        assert report_html._segment_locators(s) == [locator(s, g.start) for g in s.segments]
