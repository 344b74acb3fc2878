"""HTML pages: the main text only (headings, paragraphs, list items), with title and date metadata.

The main content is the ``<main>`` element, else the ``<article>`` elements, else the body; inside it,
navigation, scripts, styles, forms, cookie banners, share bars and similar chrome are removed by tag,
ARIA role and class/id names before text is collected.
"""

from __future__ import annotations

import datetime as dt
import re

import lxml.html
from lxml import etree
from lxml.etree import ParserError
from lxml.html import HtmlElement

from nlp.document import Document, SegmentKind
from nlp.errors import ErrorCode, IngestFailure
from nlp.ingest.assemble import assemble
from nlp.ingest.dates import find_date
from nlp.ingest.decode import decode_text
from nlp.normalize import Block, clean_inline

_DROP_TAGS = {
    "script", "style", "noscript", "template", "nav", "aside", "form", "button", "select", "svg", "iframe",
    "canvas", "object", "embed", "video", "audio", "map", "dialog", "input", "textarea", "label",
}  # fmt: skip
_DROP_ROLES = {
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "dialog",
    "alertdialog",
    "menu",
}
_CHROME = re.compile(
    r"cookie|consent|gdpr|breadcrumb|share|social|newsletter|subscribe|navbar|menu|sidebar|related"
    r"|comment|skip|popup|modal|advert|promo|footer|masthead|site-header|toolbar|pagination",
    re.I,
)
_BLOCK_TAGS: dict[str, SegmentKind] = {
    "h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading",
    "p": "paragraph", "li": "item", "pre": "paragraph", "dt": "paragraph", "dd": "paragraph",
    "figcaption": "paragraph", "td": "paragraph", "th": "paragraph", "caption": "paragraph",
}  # fmt: skip
_MAX_DEPTH = 100
"""Nesting beyond this is unclosed tags, not structure (see ``_flatten_if_deep``)."""
_INLINE_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q", "s",
    "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr", "font", "img", "del", "ins",
}  # fmt: skip


def read_html(data: bytes, *, source: str) -> Document:
    text, encoding = decode_text(data)
    root = _parse(text)
    if _too_deep():  # beyond even libxml2's huge-tree depth: parse it again without the wrappers
        root = _parse(_WRAPPER_TAG.sub(" ", text))
        if _too_deep():
            raise IngestFailure(
                ErrorCode.MALFORMED,
                f"the page nests its tags more than {_LIBXML2_MAX_DEPTH} levels deep: the rest would be lost",
            )
    metadata = {"encoding": encoding, **_meta(root)}
    title = metadata.pop("og:title", None) or _text_of(root.find(".//title"))
    content = _main_content(root)
    date = _date(root, content, metadata)
    _remove_chrome(content)
    blocks = _blocks(content)
    if not blocks:
        raise IngestFailure(ErrorCode.NO_TEXT, "the page has no main text (only navigation or scripts?)")
    language = (root.get("lang") or "en").split("-")[0].lower() or "en"
    return assemble(
        blocks, source=source, format="html", kind="statement", title=title or None, date=date,
        language=language, metadata=metadata,
    )  # fmt: skip


def _parse(text: str) -> HtmlElement:
    try:
        return lxml.html.document_fromstring(text.encode("utf-8"), parser=_PARSER)
    except (ParserError, ValueError) as exc:
        if "empty" in str(exc).lower():
            raise IngestFailure(ErrorCode.NO_TEXT, "the page has no content") from exc
        raise IngestFailure(ErrorCode.MALFORMED, f"the HTML cannot be parsed ({exc})") from exc


def _too_deep() -> bool:
    """libxml2 stopped at its depth limit, silently dropping the rest of the page."""
    return any("Excessive depth" in e.message for e in _PARSER.error_log)


_WRAPPER_TAG = re.compile(
    r"</?(?:div|span|font|center|b|i|u|em|strong|small|big|a|tt|s|strike)(?:\s[^>]*)?/?>", re.IGNORECASE
)
"""Tags that wrap text without making a block of it: what unclosed nesting is made of."""
_LIBXML2_MAX_DEPTH = 2048
_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
"""``huge_tree``: libxml2 otherwise stops at 256 levels of nesting, which unclosed ``<div>``, ``<font>`` or
``<span>`` tags in old CMS pages reach, and silently drops the rest of the page."""


def _meta(root: HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        value = clean_inline(meta.get("content") or "")
        if (
            key
            and value
            and key not in found
            and (
                key.startswith(("og:", "article:", "dc.", "dcterms."))
                or key in {"description", "author", "date", "pubdate", "publish-date", "keywords"}
            )
        ):
            found[key] = value
    return found


def _date(root: HtmlElement, content: HtmlElement, metadata: dict[str, str]) -> dt.date | None:
    """The publication date from metadata, else the first ``<time>`` of the main text, else of the page."""
    for key in ("article:published_time", "date", "pubdate", "publish-date", "dc.date", "dcterms.date"):
        date = find_date(metadata.get(key))
        if date:
            return date
    for scope in (content, root):
        for time in scope.iter("time"):
            date = find_date(time.get("datetime")) or find_date(_text_of(time))
            if date:
                return date
    return None


def _main_content(root: HtmlElement) -> HtmlElement:
    main = _elements(root.xpath("//main | //*[@role='main']"))
    if main:
        return main[0]
    articles = _elements(root.xpath("//article"))
    if len(articles) == 1:
        return articles[0]
    if articles:
        wrapper = lxml.html.Element("div")
        wrapper.extend(articles)
        return wrapper
    body = root.find("body")
    return body if isinstance(body, HtmlElement) else root


def _elements(found: object) -> list[HtmlElement]:
    return [e for e in found if isinstance(e, HtmlElement)] if isinstance(found, list) else []


def _remove_chrome(content: HtmlElement) -> None:
    doomed = []
    total = len(content.text_content().strip()) or 1
    for element in content.iter():
        if not isinstance(element.tag, str):
            continue
        if element is content:
            continue
        tag = element.tag.lower()
        role = (element.get("role") or "").lower()
        names = f"{element.get('id') or ''} {element.get('class') or ''}"
        hidden = element.get("hidden") is not None or element.get("aria-hidden") == "true"
        if (
            tag in _DROP_TAGS
            or role in _DROP_ROLES
            or hidden
            or (tag in {"header", "footer"} and not _has_heading(element, tag))
            or (tag not in _BLOCK_TAGS and _CHROME.search(names) and not _holds_main_text(element, total))
        ):
            doomed.append(element)
    for element in doomed:
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)


def _holds_main_text(element: HtmlElement, total: int) -> bool:
    """A wrapper whose class merely mentions chrome ("page has-sidebar") holds most of the page's text."""
    return len(element.text_content().strip()) > 0.5 * total


def _has_heading(element: HtmlElement, tag: str) -> bool:
    """An article's own <header> holds its headline; a page header or footer does not."""
    return (
        tag == "header"
        and element.find(".//h1") is not None
        and element.getparent() is not None
        and any(a.tag in {"article", "main"} for a in element.iterancestors())
    )


def _blocks(content: HtmlElement) -> list[Block]:
    blocks: list[Block] = []
    _flatten_if_deep(content)
    _walk(content, blocks)
    return blocks


def _flatten_if_deep(content: HtmlElement) -> None:
    """Unclosed ``<div>``, ``<font>`` or ``<span>`` tags in old CMS pages nest every later paragraph one
    level deeper, hundreds of levels in all: too deep to walk. Such a page keeps only its block elements
    (paragraphs, headings, list items, cells), their text and order intact; everything between them
    (containers and inline tags) is unwrapped."""
    depth = {content: 0}
    deepest = 0
    for element in content.iterdescendants():
        depth[element] = level = depth[element.getparent()] + 1
        deepest = max(deepest, level)
    if deepest > _MAX_DEPTH:
        keep = {*_BLOCK_TAGS, "br"}
        tags = {e.tag for e in content.iterdescendants() if isinstance(e.tag, str)} - keep
        etree.strip_tags(content, *tags)


def _walk(element: HtmlElement, blocks: list[Block], inherited: SegmentKind = "paragraph") -> None:
    """Block elements become blocks; loose inline text inside containers becomes paragraphs.

    A block that itself contains blocks (a list item holding a nested list or paragraphs) is walked in
    turn, and what it holds keeps its kind: paragraphs inside a list item are list items.
    """
    loose: list[str] = [element.text or ""]

    def flush() -> None:
        text = clean_inline("".join(loose))
        if text:
            blocks.append(Block(text=text, kind=inherited))
        loose.clear()

    for child in element:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag in _BLOCK_TAGS:
            flush()
            kind = _BLOCK_TAGS[tag]
            kind = inherited if inherited == "item" and kind == "paragraph" else kind
            if _holds_blocks(child):
                _walk(child, blocks, kind)
            else:
                text = _text_of(child)
                if text:
                    blocks.append(Block(text=text, kind=kind))
        elif tag and tag not in _INLINE_TAGS:
            flush()
            _walk(child, blocks, inherited)
        elif tag:
            loose.append(_text_of(child) if tag != "br" else "\n")
        loose.append(child.tail or "")
    flush()


def _holds_blocks(element: HtmlElement) -> bool:
    return any(
        isinstance(d.tag, str) and d.tag.lower() not in _INLINE_TAGS for d in element.iterdescendants()
    )


def _text_of(element: HtmlElement | None) -> str:
    if element is None:
        return ""
    for br in element.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return clean_inline(element.text_content())
