"""Write the output folder: one summary per document, the corpus view and the JSON Schemas.

Every file is replaced atomically, so a crash never leaves a half-written one behind.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from flows.atomic import write_bytes_atomic, write_chunks_atomic, write_text_atomic
from flows.outputs.drafts import render_docx, render_markdown
from nlp.corpus import CorpusSummary
from nlp.document import Document
from nlp.drafts import Draft, build_document_draft, draft_slug
from nlp.summary import DocumentSummary

if TYPE_CHECKING:
    from flows.outputs.report import ReportIndex

SCHEMAS: dict[str, type[BaseModel]] = {
    "document": Document,
    "document_summary": DocumentSummary,
    "corpus_summary": CorpusSummary,
}


def write_summaries(summaries: Sequence[DocumentSummary], out_dir: Path) -> list[Path]:
    paths = []
    for summary in summaries:
        path = out_dir / "summaries" / f"{summary.id}.json"
        write_text_atomic(path, summary.model_dump_json(indent=1))
        paths.append(path)
    return paths


def write_corpus(corpus: CorpusSummary, out_dir: Path) -> Path:
    path = out_dir / "corpus.json"
    write_text_atomic(path, corpus.model_dump_json(indent=1))
    return path


def write_schemas(out_dir: Path) -> list[Path]:
    paths = []
    for name, model in SCHEMAS.items():
        path = out_dir / "schema" / f"{name}.schema.json"
        write_text_atomic(path, json.dumps(model.model_json_schema(), indent=1))
        paths.append(path)
    return paths


def write_draft(draft: Draft, out_dir: Path, templates_dir: Path) -> list[Path]:
    """drafts/<doc_id>.md|.docx (or collection-<name>.*), both from the same house template."""
    stem = out_dir / "drafts" / draft_slug(draft)
    markdown, word = stem.with_suffix(".md"), stem.with_suffix(".docx")
    write_text_atomic(markdown, render_markdown(draft, templates_dir=templates_dir))
    write_bytes_atomic(word, render_docx(draft, templates_dir=templates_dir))
    return [markdown, word]


def write_document_files(
    summaries: Sequence[DocumentSummary], out_dir: Path, templates_dir: Path
) -> list[Path]:
    """Each document's draft (when it has takeaways), then its summary file, last: a summary file on
    disk means the document's files are whole, so a run killed in between is repaired by the next one,
    which writes the files of every stored document whose summary file is missing. A document
    re-analysed without takeaways loses the draft of its earlier analysis."""
    paths: list[Path] = []
    for summary in summaries:
        if summary.takeaways:
            draft = build_document_draft(summary, templates_dir=templates_dir)
            paths += write_draft(draft, out_dir, templates_dir)
        else:
            for stale in (out_dir / "drafts" / f"{summary.id}{suffix}" for suffix in (".md", ".docx")):
                stale.unlink(missing_ok=True)
        paths += write_summaries([summary], out_dir)
    return paths


def remove_document_files(document_ids: Iterable[str], out_dir: Path) -> None:
    """The summary and drafts of documents the store no longer holds (earlier versions of edited files)."""
    for doc_id in document_ids:
        for path in (
            out_dir / "summaries" / f"{doc_id}.json",
            out_dir / "drafts" / f"{doc_id}.md",
            out_dir / "drafts" / f"{doc_id}.docx",
        ):
            path.unlink(missing_ok=True)


def write_report(
    corpus: CorpusSummary,
    index: ReportIndex,
    summaries: Iterable[DocumentSummary],
    out_dir: Path,
    templates_dir: Path,
) -> list[Path]:
    """report.html and the pages under report/, streamed: ``summaries`` (those ``index`` saw, in order)
    are read once, one at a time. Pages of documents the store no longer holds are removed."""
    from flows.outputs.report import report_pages  # matplotlib: imported only when a report is written

    paths = []
    for relative, pieces in report_pages(corpus, index, summaries, templates_dir=templates_dir):
        path = out_dir / relative
        write_chunks_atomic(path, (piece.encode("utf-8") for piece in pieces))
        paths.append(path)
    written = set(paths)
    for page in (out_dir / "report" / "documents").glob("*.html"):
        if page not in written:
            page.unlink(missing_ok=True)
    return paths
