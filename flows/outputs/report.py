"""The analyst report: static HTML pages an analyst can open, mail or archive, built for 1,000+ documents.

``report.html`` is a light overview (counts, plots with their numbers, top-N views linking to the rest).
``report/takeaways.html`` holds every takeaway in a table that filters (theme, speaker, document, date,
reviewed or not), sorts and pages in the browser; ``report/documents.html`` lists every document, and
``report/documents/<id>.html`` shows one document's text with its takeaway and evidence sentences
highlighted, so each claim can be checked against its source in one click.

No server and no network. Plots are matplotlib SVGs embedded as ``data:`` images (an SVG inside
``<img>`` can never run a script). Only the takeaways page runs a script: one inline script, allowed by
its hash in the page's Content-Security-Policy, which reads the rows from an inert JSON block and builds
the table with DOM text nodes, never HTML. Every page forbids any other script and any remote load.
Document text is untrusted input (web pages, transcripts): templates are rendered with Jinja2
autoescaping and nothing is ever marked safe; the JSON block escapes ``<``, ``>`` and ``&``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import itertools
import json
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import matplotlib as mpl
from markupsafe import Markup
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from nlp.corpus import CorpusSummary
from nlp.document import Segment
from nlp.drafts import DEFAULT_TEMPLATES, document_title, format_timestamp, locator, source_name
from nlp.linguistic import reading_text, strip_markup
from nlp.rank import is_ceremonial
from nlp.summary import DocumentSummary, Evidence, Takeaway

TEMPLATE = "report.html.j2"
TABLE_SCRIPT = "report_table.js"
OVERVIEW = "report.html"
TAKEAWAYS_PAGE = "report/takeaways.html"
DOCUMENTS_PAGE = "report/documents.html"
NO_SCRIPT_ROWS = 100
"""Rows written into the takeaways page itself, for a reader whose browser runs no script."""
MIN_DOCS_PER_PERIOD = 5
"""A month enters the trend only with this many dated documents: a mean over one or two is noise."""
MAX_ERRORS_SHOWN = 50
FULL_TEXT_LIMIT = 60_000
"""Longer documents show only the paragraphs around highlighted sentences, to keep the file openable."""
TOTAL_TEXT_LIMIT = 3_000_000
"""Above this much text in all, every document is shown that way (a 2,000-speech corpus stays ~10 MB)."""
MAX_HEATMAP_ROWS = 30
"""The overview's heat map shows the documents with the most takeaways; the document list has them all."""
MAX_SPEAKERS = 30
_MARKUP = re.compile(r"[*_`#]+")
_LABEL_CHARS = 42


@dataclass(frozen=True)
class Piece:
    """A stretch of document text; ``classes`` non-empty when it is (part of) a highlighted sentence."""

    text: str
    classes: tuple[str, ...] = ()
    anchor: str | None = None
    back: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Block:
    kind: str
    speaker: str | None
    time: str | None
    locator: str
    pieces: list[Piece]


_GAP = Block(kind="gap", speaker=None, time=None, locator="", pieces=[Piece(text="…")])
"""Stands for paragraphs left out of a long document."""


@dataclass
class _Mark:
    start: int
    end: int
    anchor: str
    classes: set[str] = field(default_factory=set)
    back: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Row:
    """One takeaway of the table, with the anchors its sentences have on its document's page."""

    id: str
    document_id: str
    doc_label: str
    t: Takeaway
    anchor: str
    where: str
    reviewed: bool
    """an analyst decided on the headline sentence's themes"""
    evidence: list[tuple[Evidence, str, str]]
    """(sentence, anchor, locator)"""


@dataclass(frozen=True)
class Plot:
    src: str
    alt: str


@dataclass(frozen=True)
class Brief:
    """What the report says of a document outside its own page."""

    id: str
    source: str
    title: str | None
    label: str
    kind: str
    date: dt.date | None
    speakers: int
    sentences: int
    takeaways: list[str]
    """theme labels of its takeaways, in rank order"""


@dataclass
class ReportIndex:
    """Everything the report needs from all documents before it writes the first page, gathered in one
    pass (the same one that builds the corpus view) that keeps no document text: the document pages are
    then written reading each document once more, so memory does not grow with the corpus."""

    labels: dict[str, str]
    """theme id -> label: the taxonomy's, then any other theme a takeaway names"""
    doc_labels: dict[str, str] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    briefs: list[Brief] = field(default_factory=list)
    talk: Counter[str] = field(default_factory=Counter)
    """transcript speaker -> candidate sentences"""
    text_chars: int = 0
    unthemed: dict[str, dict[int, tuple[int, int]]] = field(default_factory=dict)
    """document -> sentence index -> (start, end) of the sentences emerging topics are found in"""
    _label_counts: Counter[str] = field(default_factory=Counter)

    def add(self, s: DocumentSummary) -> None:
        for t in s.takeaways:
            self.labels.setdefault(t.theme, t.theme_label)
        label = self.doc_labels[s.id] = self._label(s)
        self.rows += _rows(s, label)
        self.briefs.append(
            Brief(
                id=s.id, source=s.source, title=s.title, label=label, kind=s.kind, date=s.date,
                speakers=len(s.speakers), sentences=len(s.sentences),
                takeaways=[t.theme_label for t in s.takeaways],
            )
        )  # fmt: skip
        if s.kind == "transcript":
            self.talk.update(r.speaker for r in s.sentences if r.speaker and r.candidate)
        self.text_chars += len(s.text)
        self.unthemed[s.id] = {r.i: (r.start, r.end) for r in s.sentences if r.candidate and not r.themes}

    def _label(self, s: DocumentSummary) -> str:
        """A short unique label: the title without markup, cut to fit, numbered when two look alike; the
        file name when the title is only a salutation ("**Mr President,**")."""
        label = _MARKUP.sub("", reading_text(document_title(s))).strip(" ,;:")
        if len(label) < 4 or is_ceremonial(label):
            label = source_name(s.source) or s.id[:12]
        if len(label) > _LABEL_CHARS:
            label = label[: _LABEL_CHARS - 1].rstrip() + "…"
        self._label_counts[label] += 1
        n = self._label_counts[label]
        return label if n == 1 else f"{label} ({n})"

    def topic_link(self, doc_id: str, index: int) -> str | None:
        span = self.unthemed.get(doc_id, {}).get(index)
        return f"{document_page(doc_id)}#{span_anchor(doc_id, *span)}" if span else None


def render_site(
    corpus: CorpusSummary,
    summaries: Sequence[DocumentSummary],
    *,
    templates_dir: Path = DEFAULT_TEMPLATES,
    generated: dt.datetime | None = None,
) -> dict[str, str]:
    """Every page of the report, by path relative to the output folder (what tests and small callers
    want; a run streams the pages with :func:`report_pages`)."""
    index = ReportIndex(dict(corpus.themes))
    for s in summaries:
        index.add(s)
    pages = report_pages(corpus, index, summaries, templates_dir=templates_dir, generated=generated)
    return {path: "".join(chunks) for path, chunks in pages}


def report_pages(
    corpus: CorpusSummary,
    index: ReportIndex,
    summaries: Iterable[DocumentSummary],
    *,
    templates_dir: Path = DEFAULT_TEMPLATES,
    generated: dt.datetime | None = None,
) -> Iterator[tuple[str, Iterator[str]]]:
    """(path, HTML in pieces) for the overview, the takeaways table, the document list, then one page per
    document; ``summaries`` are the ones ``index`` saw, in the same order, read once."""
    labels, themes = index.labels, list(index.labels)
    colours = _theme_colours(themes)
    env = _environment(templates_dir.resolve())
    stamp = (generated or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    common = {
        "labels": labels, "colours": colours, "generated": stamp, "n_documents": len(index.briefs),
        "n_takeaways": len(index.rows),
    }  # fmt: skip
    yield (
        OVERVIEW,
        env.get_template(TEMPLATE).generate(root="", **common, **_overview(corpus, index, themes, colours)),
    )
    script = (DEFAULT_TEMPLATES / TABLE_SCRIPT).read_text(encoding="utf-8")
    # Both are written raw into <script> elements: the data has no "<", ">" or "&" left (see
    # _table_data) and the script is this project's own file, whose hash the page's policy allows.
    yield TAKEAWAYS_PAGE, env.get_template("report_takeaways.html.j2").generate(
        root="../", **common, rows=index.rows[:NO_SCRIPT_ROWS], data=Markup(_table_data(index, colours)),
        script=Markup(script), script_hash=_sha256_source(script),
    )  # fmt: skip
    yield (
        DOCUMENTS_PAGE,
        env.get_template("report_documents.html.j2").generate(root="../", **common, briefs=index.briefs),
    )
    by_document: dict[str, list[Row]] = {}
    for row in index.rows:
        by_document.setdefault(row.document_id, []).append(row)
    examples: dict[str, set[int]] = {}
    for topic in corpus.emerging_topics:
        for ex in topic.examples:
            examples.setdefault(ex.document_id, set()).add(ex.sentence)
    abridge_all = index.text_chars > TOTAL_TEXT_LIMIT
    page = env.get_template("report_document.html.j2")
    for s in summaries:
        marks = _marks(s)
        for i in sorted(examples.get(s.id, ())):
            if 0 <= i < len(s.sentences):
                _mark(marks, s.id, s.sentences[i].start, s.sentences[i].end, "topic")
        abridged = abridge_all or len(s.text) > FULL_TEXT_LIMIT
        yield document_page(s.id), page.generate(
            root="../../", **common, s=s, title=document_title(s), label=index.doc_labels[s.id],
            blocks=_blocks(s, marks, abridge=abridged), abridged=abridged,
            takeaways=by_document.get(s.id, []),
        )  # fmt: skip


def _overview(
    corpus: CorpusSummary, index: ReportIndex, themes: list[str], colours: dict[str, str]
) -> dict[str, Any]:
    """What the overview page shows: aggregates and top-N views, each with its counts."""
    labels = index.labels
    months = _months(corpus)
    shown = {m: n for m, n in months.items() if n >= MIN_DOCS_PER_PERIOD}
    ranked = sorted(
        corpus.documents, key=lambda e: (-len(e.takeaways), -sum(e.prevalence.values()), e.source)
    )
    top_documents = ranked[:MAX_HEATMAP_ROWS]
    speaker_rows = [
        (name, corpus.prevalence_by_speaker.get(name, {})) for name, _ in index.talk.most_common(MAX_SPEAKERS)
    ]
    topics = [
        {
            "topic": topic,
            "examples": [
                {
                    "text": ex.text,
                    "doc_label": index.doc_labels.get(ex.document_id, ex.document_id[:12]),
                    "link": index.topic_link(ex.document_id, ex.sentence),
                }
                for ex in topic.examples
            ],
        }
        for topic in corpus.emerging_topics
    ]
    with _plotting():
        plots = {
            "prevalence": _prevalence_plot(corpus, themes, labels, colours),
            "over_time": _over_time_plot(corpus, list(shown), themes, labels, colours),
            "heatmap": _heatmap(
                [index.doc_labels.get(e.id, e.id[:12]) for e in top_documents],
                [[e.prevalence.get(t, 0.0) for t in themes] for e in top_documents],
                [labels[t] for t in themes],
                "Documents × themes: share of each document's sentences",
            ),
            "speakers": _heatmap(
                [name for name, _ in speaker_rows],
                [[shares.get(t, 0.0) for t in themes] for _, shares in speaker_rows],
                [labels[t] for t in themes],
                "Speakers × themes: share of each speaker's sentences (transcripts)",
            )
            if speaker_rows
            else None,
        }
    return {
        "corpus": corpus,
        "themes": themes,
        "prevalence": _prevalence_table(corpus, themes),
        "plots": plots,
        "topics": topics,
        "top_documents": [(e, index.doc_labels.get(e.id, e.id[:12])) for e in top_documents],
        "speaker_rows": speaker_rows,
        "transcripts": sum(1 for b in index.briefs if b.kind == "transcript"),
        "months": months,
        "shown_months": list(shown),
        "min_per_period": MIN_DOCS_PER_PERIOD,
        "undated": sum(1 for e in corpus.documents if e.date is None),
        "heatmap_rows": MAX_HEATMAP_ROWS,
        "kinds": Counter(b.kind for b in index.briefs),
        "errors": corpus.errors[:MAX_ERRORS_SHOWN],
    }


def _months(corpus: CorpusSummary) -> dict[str, int]:
    """Dated documents per month, in order."""
    counts = Counter(e.date.strftime("%Y-%m") for e in corpus.documents if e.date is not None)
    return {m: counts[m] for m in corpus.prevalence_by_date}


def _table_data(index: ReportIndex, colours: dict[str, str]) -> str:
    """The takeaways table's rows as JSON for the page's script, safe inside a ``<script>`` element: no
    ``<``, ``>`` or ``&`` survives, so no text can close the element or open a comment."""
    documents = {b.id: n for n, b in enumerate(index.briefs)}
    data = {
        "themes": {t: [label, colours.get(t, "#777777")] for t, label in index.labels.items()},
        "documents": [
            [b.label, document_file(b.id), b.date.isoformat() if b.date else "", b.kind] for b in index.briefs
        ],
        "rows": [
            [
                documents[r.document_id], r.t.rank, r.t.theme, reading_text(r.t.text), r.where,
                r.t.speaker or "", round(r.t.score, 2), int(r.reviewed), r.anchor,
                [[reading_text(e.text), where, anchor] for e, anchor, where in r.evidence],
            ]
            for r in index.rows
        ],
    }  # fmt: skip
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _sha256_source(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def document_page(document_id: str) -> str:
    """Where a document's page is, relative to the output folder."""
    return f"report/documents/{document_file(document_id)}"


def document_file(document_id: str) -> str:
    """The file name of a document's page (what pages in ``report/`` link to under ``documents/``)."""
    return f"{_short(document_id)}.html"


def _rows(s: DocumentSummary, doc_label: str) -> list[Row]:
    reviewed = {r.start for r in s.sentences if r.reviewed}
    return [
        Row(
            id=f"tk-{_short(s.id)}-{t.rank}",
            document_id=s.id,
            doc_label=doc_label,
            t=t,
            anchor=span_anchor(s.id, t.start, t.end),
            where=locator(s, t.start),
            reviewed=t.start in reviewed,
            evidence=[(e, span_anchor(s.id, e.start, e.end), locator(s, e.start)) for e in t.evidence],
        )
        for t in s.takeaways
    ]


def span_anchor(document_id: str, start: int, end: int) -> str:
    """The id of a highlighted source span: stable, so links from elsewhere can point into the report."""
    return f"src-{_short(document_id)}-{start}-{end}"


def _short(document_id: str) -> str:
    return document_id[:12]


def _environment(templates_dir: Path) -> jinja2.Environment:
    """Autoescaping on for everything: document text is untrusted. A custom folder may override only
    some templates; the rest come from the project's."""
    loader = jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(templates_dir), jinja2.FileSystemLoader(DEFAULT_TEMPLATES)]
    )
    env = jinja2.Environment(
        loader=loader, autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True, bytecode_cache=jinja2.FileSystemBytecodeCache(),  # compiled once, not per run
    )  # fmt: skip
    env.filters["pct"] = lambda x: f"{100 * float(x):.0f}%"
    env.filters["reading"] = reading_text
    env.filters["unmarked"] = strip_markup
    env.globals["document_page"] = document_page
    env.globals["document_file"] = document_file
    return env


# --- document text with highlighted spans -----------------------------------------------------------


def _marks(summary: DocumentSummary) -> dict[tuple[int, int], _Mark]:
    """Every takeaway headline and evidence sentence of a document, keyed by offsets."""
    marks: dict[tuple[int, int], _Mark] = {}
    for t in summary.takeaways:
        row = f"tk-{_short(summary.id)}-{t.rank}"
        head = _mark(marks, summary.id, t.start, t.end, "headline")
        head.back = head.back or row
        head.title = head.title or f"Takeaway {t.rank}: {t.theme_label}"
        for e in t.evidence:
            ev = _mark(marks, summary.id, e.start, e.end, "evidence")
            ev.back = ev.back or row
            ev.title = ev.title or f"Evidence for takeaway {t.rank}: {t.theme_label}"
    return marks


def _mark(marks: dict[tuple[int, int], _Mark], doc_id: str, start: int, end: int, kind: str) -> _Mark:
    mark = marks.setdefault((start, end), _Mark(start, end, span_anchor(doc_id, start, end)))
    mark.classes.add(kind)
    return mark


def _segment_locators(summary: DocumentSummary) -> list[str]:
    """What ``locator`` says for each segment, in one pass (long transcripts have thousands of turns)."""
    out, number = [], 0
    for seg in summary.segments:
        if seg.kind != "heading":
            number += 1
        if seg.start_s is not None:
            out.append(format_timestamp(seg.start_s))
        elif seg.kind == "heading":
            out.append("heading")
        else:
            out.append(f"{'turn' if seg.kind == 'turn' else 'paragraph'} {number}")
    return out


def _blocks(summary: DocumentSummary, marks: dict[tuple[int, int], _Mark], *, abridge: bool) -> list[Block]:
    """The text, segment by segment, cut into plain and highlighted pieces.

    Spans are cut at every span boundary, so overlapping spans still highlight correctly; a span's id
    goes on its first piece, which is where links land."""
    text = summary.text
    segments: list[tuple[int, int, Segment | None]] = [(g.start, g.end, g) for g in summary.segments]
    segments = segments or [(0, len(text), None)]
    ordered = sorted(marks.values(), key=lambda m: (m.start, m.end))
    where = _segment_locators(summary)
    keep = set(range(len(segments)))
    if abridge:
        hit = {i for i, (a, b, _) in enumerate(segments) if any(m.start < b and a < m.end for m in ordered)}
        keep = {j for i in hit for j in (i - 1, i, i + 1) if 0 <= j < len(segments)}
    placed: set[str] = set()
    blocks = []
    previous = -1
    for i, (a, b, seg) in enumerate(segments):
        if i not in keep:
            continue
        if i != previous + 1:
            blocks.append(_GAP)
        previous = i
        inside = [m for m in ordered if m.start < b and a < m.end]
        cuts = sorted({a, b, *(max(a, min(b, x)) for m in inside for x in (m.start, m.end))})
        pieces = []
        for lo, hi in itertools.pairwise(cuts):
            if lo >= hi:
                continue
            covering = [m for m in inside if m.start <= lo and hi <= m.end]
            if not covering:
                pieces.append(Piece(text=text[lo:hi]))
                continue
            classes = tuple(sorted({c for m in covering for c in m.classes}))
            first = next((m for m in covering if m.anchor not in placed), None)
            if first is not None:
                placed.add(first.anchor)
            main = covering[0]
            pieces.append(
                Piece(
                    text=text[lo:hi],
                    classes=classes,
                    anchor=first.anchor if first else None,
                    back=main.back if hi == min(main.end, b) else None,
                    title=main.title,
                )
            )
        blocks.append(
            Block(
                kind=seg.kind if seg else "paragraph",
                speaker=seg.speaker if seg else None,
                time=format_timestamp(seg.start_s) if seg and seg.start_s is not None else None,
                locator=where[i] if seg else "",
                pieces=pieces,
            )
        )
    if blocks and previous != len(segments) - 1:
        blocks.append(_GAP)
    # a span outside every segment (should not happen) still gets a landing place
    missing = [m for m in ordered if m.anchor not in placed]
    if missing:
        blocks.append(
            Block(
                kind="paragraph",
                speaker=None,
                time=None,
                locator="outside segments",
                pieces=[
                    Piece(text=text[m.start : m.end], classes=tuple(sorted(m.classes)), anchor=m.anchor)
                    for m in missing
                ],
            )
        )
    return blocks


# --- labels and colours -----------------------------------------------------------------------------


def _theme_colours(themes: Sequence[str]) -> dict[str, str]:
    palette = mpl.colormaps["tab10" if len(themes) <= 10 else "tab20"]
    return {t: to_hex(palette(i % palette.N)) for i, t in enumerate(themes)}


def _prevalence_table(corpus: CorpusSummary, themes: Sequence[str]) -> list[dict[str, Any]]:
    n = len(corpus.documents) or 1
    return [
        {
            "theme": t,
            "mean": sum(e.prevalence.get(t, 0.0) for e in corpus.documents) / n,
            "documents": sum(1 for e in corpus.documents if e.prevalence.get(t, 0.0) > 0),
            "takeaways": sum(1 for e in corpus.documents if t in e.takeaways),
        }
        for t in themes
    ]


# --- plots ------------------------------------------------------------------------------------------


@contextmanager
def _plotting() -> Iterator[None]:
    """Deterministic, text-as-paths SVG; a title in a script the font lacks only warns, so stay quiet."""
    with (
        mpl.rc_context(
            {
                "svg.hashsalt": "takeaways",  # the same corpus gives the same file
                "svg.fonttype": "path",  # text drawn as shapes: no fonts needed, no markup from labels
                "text.parse_math": False,  # "$5 million" in a title is text, not TeX
                "font.size": 9,
                "axes.spines.top": False,
                "axes.spines.right": False,
            }
        ),
        warnings.catch_warnings(),
    ):
        warnings.filterwarnings("ignore", message=r".*[Gg]lyph .* missing from.*")
        yield


def _svg(fig: Figure, alt: str) -> Plot:
    """An SVG as a data: URI for an <img>: self-contained, and unable to run scripts."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Plot(src=f"data:image/svg+xml;base64,{data}", alt=alt)


def _prevalence_plot(
    corpus: CorpusSummary, themes: Sequence[str], labels: dict[str, str], colours: dict[str, str]
) -> Plot | None:
    if not corpus.documents:
        return None
    table = _prevalence_table(corpus, themes)
    fig = Figure(figsize=(9.5, 0.34 * len(themes) + 1.1))
    ax = fig.subplots()
    names = [labels[t] for t in themes][::-1]
    values = [100 * row["mean"] for row in table][::-1]
    ax.barh(names, values, color=[colours[t] for t in themes][::-1])
    for y, row in enumerate(table[::-1]):
        ax.annotate(
            f" {row['documents']} doc(s), {row['takeaways']} takeaway(s)",
            (values[y], y),
            va="center",
            fontsize=7,
            color="#444",
        )
    ax.set_xlabel("mean share of a document's sentences (%)")
    ax.set_xlim(0, max([*values, 1.0]) * 1.45)
    ax.set_title(f"Theme prevalence across {len(corpus.documents)} document(s)", loc="left")
    return _svg(fig, "Bar chart: mean share of sentences per theme across documents")


def _over_time_plot(
    corpus: CorpusSummary,
    months: Sequence[str],
    themes: Sequence[str],
    labels: dict[str, str],
    colours: dict[str, str],
) -> Plot | None:
    """A line per theme through the months that hold enough documents; none when fewer than two do."""
    if len(months) < 2:
        return None
    fig = Figure(figsize=(9.5, 3.6))
    ax = fig.subplots()
    for t in themes:
        series = [100 * corpus.prevalence_by_date[m].get(t, 0.0) for m in months]
        if any(series):
            ax.plot(
                months, series, marker="o", markersize=3, linewidth=1.5, color=colours[t], label=labels[t]
            )
    ax.set_ylabel("mean share of sentences (%)")
    ax.set_title("Theme prevalence by month (dated documents)", loc="left")
    ax.tick_params(axis="x", labelrotation=45)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _svg(fig, "Line chart: theme prevalence by month")


def _heatmap(
    rows: Sequence[str], values: Sequence[Sequence[float]], columns: Sequence[str], title: str
) -> Plot | None:
    if not rows or not columns:
        return None
    fig = Figure(figsize=(0.55 * len(columns) + 3.2, 0.3 * len(rows) + 1.9))
    ax = fig.subplots()
    image = ax.imshow([[100 * v for v in row] for row in values], cmap="Blues", vmin=0, aspect="auto")
    ax.set_xticks(range(len(columns)), labels=columns, rotation=40, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(len(rows)), labels=rows)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    peak = max((v for row in values for v in row), default=0.0) or 1.0
    if len(rows) * len(columns) <= 600:
        for y, row in enumerate(values):
            for x, v in enumerate(row):
                if v > 0:
                    label = f"{100 * v:.0f}" if v >= 0.005 else "<1"
                    colour = "white" if v > 0.6 * peak else "#123"
                    ax.text(x, y, label, ha="center", va="center", fontsize=7, color=colour)
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02, label="% of sentences")
    ax.set_title(title, loc="left")
    return _svg(fig, f"Heat map: {title}")
