"""HTML: the main text only, in order, with title and date metadata."""

from __future__ import annotations

import datetime as dt

import pytest

from nlp.errors import ErrorCode, IngestFailure
from nlp.ingest.html import read_html
from tests.support.ingest import assert_well_formed, fail, read, texts

PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
  <title>Reading plan launched | Ministry of Education</title>
  <meta property="og:title" content="Reading plan launched">
  <meta property="article:published_time" content="2025-04-08T09:30:00+02:00">
  <meta name="description" content="A five-year plan.">
  <style>.cookie-banner { position: fixed; } body { font: STYLE_TEXT; }</style>
  <script>var tracker = "SCRIPT_TEXT";</script>
</head>
<body>
  <div id="cookie-banner" class="cookie-banner"><p>We use COOKIE_TEXT to improve the site.</p>
    <button>Accept all cookies</button></div>
  <header class="site-header"><a href="/">HEADER_TEXT</a>
    <nav><ul><li><a href="/news">NAV_TEXT</a></li></ul></nav></header>
  <nav aria-label="Breadcrumb"><ol><li>Home</li><li>BREADCRUMB_TEXT</li></ol></nav>
  <main>
    <ol class="breadcrumbs"><li>Home</li><li>BREADCRUMB_TEXT_TWO</li></ol>
    <article>
      <h1>Reading plan launched</h1>
      <p>The ministry launched a <a href="/plan">five-year plan</a> on <b>Tuesday</b>.</p>
      <h2>Key commitments</h2>
      <ul>
        <li>A reading book for every pupil.</li>
        <li>A coach for every 15 schools.</li>
      </ul>
      <p>“Too many children cannot read,” the Minister said.</p>
      <div class="share-links"><a href="#">SHARE_TEXT on X</a></div>
      <p>Share this</p>
      <aside><p>ASIDE_TEXT related stories</p></aside>
      <noscript>NOSCRIPT_TEXT</noscript>
    </article>
  </main>
  <footer><p>FOOTER_TEXT Copyright 2025</p></footer>
</body>
</html>
"""


def test_main_text_only_in_order() -> None:
    doc = read(PAGE, "press.html")
    assert (doc.kind, doc.format, doc.language) == ("statement", "html", "en")
    assert [(s.kind, doc.segment_text(s)) for s in doc.segments] == [
        ("heading", "Reading plan launched"),
        ("paragraph", "The ministry launched a five-year plan on Tuesday."),
        ("heading", "Key commitments"),
        ("item", "A reading book for every pupil."),
        ("item", "A coach for every 15 schools."),
        ("paragraph", "“Too many children cannot read,” the Minister said."),
    ]
    assert_well_formed(doc)


@pytest.mark.parametrize(
    "chrome",
    [
        "STYLE_TEXT",
        "SCRIPT_TEXT",
        "COOKIE_TEXT",
        "Accept all",
        "HEADER_TEXT",
        "NAV_TEXT",
        "BREADCRUMB_TEXT",
        "SHARE_TEXT",
        "Share this",
        "ASIDE_TEXT",
        "NOSCRIPT_TEXT",
        "FOOTER_TEXT",
    ],
)
def test_page_chrome_is_absent(chrome: str) -> None:
    assert chrome not in read(PAGE, "press.html").text


def test_title_from_og_title_and_date_from_published_time() -> None:
    doc = read(PAGE, "press.html")
    assert doc.title == "Reading plan launched"
    assert doc.date == dt.date(2025, 4, 8)
    assert doc.metadata["description"] == "A five-year plan."


def test_title_from_the_title_element_and_date_from_a_time_element() -> None:
    raw = (
        "<html><head><title>Board  statement\n</title></head><body>"
        "<aside><time datetime='2020-01-01'>old</time></aside>"
        "<article><p>The board agreed.</p>"
        "<p>Published <time datetime='2024-11-05'>5 Nov</time>.</p></article>"
        "</body></html>"
    )
    doc = read(raw, "s.html")
    assert doc.title == "Board statement"
    assert doc.date == dt.date(2024, 11, 5)  # the main text's date, not the sidebar's


def test_without_main_the_articles_are_the_content() -> None:
    raw = (
        "<html><body><div class='menu'>MENU</div>"
        "<article><p>First article.</p></article><article><p>Second article.</p></article>"
        "<div>Unrelated body text.</div></body></html>"
    )
    assert texts(read(raw, "a.html")) == ["First article.", "Second article."]


def test_without_main_or_article_the_body_is_the_content() -> None:
    raw = "<html><body><div>Loose text<br>on two lines<div>inner block</div>tail text</div></body></html>"
    assert texts(read(raw, "a.html")) == ["Loose text on two lines", "inner block", "tail text"]


def test_nested_lists_keep_words_apart_and_stay_items() -> None:
    raw = (
        "<html><body><ul><li>Partnerships<ul><li>national</li><li>global</li></ul></li>"
        "<li><p>Paragraph in an item.</p><p>Second paragraph.</p></li></ul></body></html>"
    )
    doc = read(raw, "a.html")
    assert [(s.kind, doc.segment_text(s)) for s in doc.segments] == [
        ("item", "Partnerships"),
        ("item", "national"),
        ("item", "global"),
        ("item", "Paragraph in an item."),
        ("item", "Second paragraph."),
    ]


def test_a_wrapper_whose_class_mentions_a_sidebar_is_not_dropped() -> None:
    raw = (
        "<html><body><div class='layout has-sidebar'><h1>Plan</h1>"
        "<p>The plan covers five years and every district.</p>"
        "<div class='sidebar'><p>SIDEBAR</p></div></div></body></html>"
    )
    doc = read(raw, "a.html")
    assert texts(doc) == ["Plan", "The plan covers five years and every district."]


def test_table_cells_are_text() -> None:
    raw = "<html><body><table><tr><th>Year</th><td>2025</td></tr></table></body></html>"
    assert texts(read(raw, "a.html")) == ["Year", "2025"]


def test_character_references_and_non_breaking_spaces() -> None:
    raw = "<html><body><p>Caf&eacute;&nbsp;&amp;&#160;school&#8217;s plan</p></body></html>"
    assert read(raw, "a.html").text == "Café & school’s plan"


def test_html_is_recognised_by_content_whatever_the_name() -> None:
    assert read("<!DOCTYPE html><html><body><p>Hi there.</p></body></html>", "page.txt").format == "html"


def test_latin1_page_decodes() -> None:
    raw = "<html><body><p>Déclaration du ministère</p></body></html>".encode("cp1252")
    assert read(raw, "a.html").text == "Déclaration du ministère"


@pytest.mark.parametrize(
    "raw",
    [
        "<html><head><script>only()</script></head><body><nav>Home</nav></body></html>",
        "<!DOCTYPE html>",
    ],
)
def test_a_page_without_main_text_is_rejected(raw: str) -> None:
    failure = fail(raw, "a.html")
    assert failure.code is ErrorCode.NO_TEXT


@pytest.mark.parametrize("levels", [300, 3000])
@pytest.mark.parametrize("wrapper", ["<div>", "<font size=2>", "<span class=x>", "<div><font><span>"])
def test_unclosed_tags_never_drop_the_rest_of_a_page(levels: int, wrapper: str) -> None:
    """Old CMS pages leave tags open, nesting every later paragraph deeper: libxml2 stops at 256 levels
    (2,048 with huge trees) and silently drops the rest. Every paragraph is kept, in order."""
    page = "<html><body>" + "".join(
        f"{wrapper}<p>Paragraph {i} on school funding.</p>" for i in range(levels)
    )
    document = read_html(page.encode(), source="deep.html")
    texts = [document.segment_text(s) for s in document.segments]
    assert texts == [f"Paragraph {i} on school funding." for i in range(levels)]


def test_nesting_that_cannot_be_read_whole_is_an_error_not_a_silent_cut() -> None:
    page = "<html><body>" + "".join(f"<blockquote><p>Paragraph {i}.</p>" for i in range(3000))
    with pytest.raises(IngestFailure, match="levels deep"):
        read_html(page.encode(), source="deeper.html")
