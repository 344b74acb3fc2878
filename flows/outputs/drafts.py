"""Reporters' drafts as files: Markdown from the house template (``draft.md.j2``) and the same text as a
Word document, so the two formats never say different things. What a draft says is
:mod:`nlp.drafts`; this module only lays it out."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx

from nlp.drafts import DEFAULT_TEMPLATES, Draft, template_environment


def render_markdown(draft: Draft, *, templates_dir: Path = DEFAULT_TEMPLATES) -> str:
    """The draft in the house style of ``draft.md.j2``."""
    text = template_environment(templates_dir.resolve()).get_template("draft.md.j2").render(draft=draft)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


_INLINE = re.compile(r"\*\*(?P<bold>[^*\n]+)\*\*|(?<![\w*])\*(?P<italic>[^*\s][^*\n]*?)\*(?![\w*])")
_NUMBERED = re.compile(r"^\d+\.\s+")


def render_docx(draft: Draft, *, templates_dir: Path = DEFAULT_TEMPLATES) -> bytes:
    """The same draft as a Word document: the Markdown from the house template, laid out with Word styles
    (headings, quotes, lists, bold and italic), so the two formats never say different things."""
    document = docx.Document()
    properties = document.core_properties
    properties.title = draft.headline
    properties.author = properties.last_modified_by = "Takeaways"
    properties.comments = "A first draft: check every item of its list before publishing."
    properties.keywords = ", ".join(dict.fromkeys(t.theme_label for t in draft.takeaways))
    paragraph: list[str] = []
    style_ids: dict[str, str] = {}

    def add(style: str, text: str = "") -> object:
        """A paragraph in a named style. What ``Paragraph.style = name`` does, less its two scans of every
        style in the document per paragraph (by name, then for the default): a third of the time."""
        if style not in style_ids:
            style_ids[style] = document.styles[style].style_id
        added = document.add_paragraph(text)
        added._p.style = style_ids[style]
        return added

    def flush() -> None:
        if paragraph:
            _add_inline(document.add_paragraph(), " ".join(paragraph))
            paragraph.clear()

    for raw in render_markdown(draft, templates_dir=templates_dir).splitlines():
        line = raw.rstrip()
        stripped = line.lstrip()
        if not stripped or stripped in {"---", "***"}:
            flush()
        elif heading := re.match(r"^(#{1,6})\s+(.*)$", stripped):
            flush()
            level = len(heading[1]) - 1
            add(f"Heading {level}" if level else "Title", heading[2])
        elif stripped.startswith(">"):
            flush()
            _add_inline(add("Quote"), stripped.lstrip("> ").strip())
        elif stripped.startswith(("- [ ] ", "- [x] ")):
            flush()
            _add_inline(add("List Bullet"), "☐ " + stripped[6:])
        elif stripped.startswith(("- ", "* ")):
            flush()
            _add_inline(add("List Bullet"), stripped[2:])
        elif _NUMBERED.match(stripped):
            flush()
            _add_inline(add("List Number"), _NUMBERED.sub("", stripped))
        else:
            paragraph.append(stripped)
    flush()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_inline(paragraph: object, text: str) -> None:
    """Runs for **bold** and *italic*; everything else is literal text."""
    add_run = paragraph.add_run  # type: ignore[attr-defined]
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            add_run(text[position : match.start()])
        if match["bold"] is not None:
            add_run(match["bold"]).bold = True
        else:
            add_run(match["italic"]).italic = True
        position = match.end()
    if position < len(text):
        add_run(text[position:])
