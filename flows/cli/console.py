"""The ingestion tables people read in the terminal, and their JSON twin for scripts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:  # the CLI imports this module before it knows which models a command needs
    from flows.inputs.ingestion import IngestLog
    from flows.models.train import Evaluation
    from nlp.summary import DocumentSummary


def result_as_json(result: IngestLog) -> dict[str, Any]:
    return result.as_json()


def print_result(result: IngestLog, console: Console) -> None:
    print_inputs(result_as_json(result), console)


def print_inputs(payload: dict[str, Any], console: Console) -> None:
    """Tables of documents found, duplicates read once and inputs rejected (from ``result_as_json``)."""
    documents, duplicates, errors = payload["documents"], payload["duplicates"], payload["errors"]
    if documents:
        table = Table(title=f"{len(documents)} document(s) found", title_justify="left")
        for column in ("id", "kind", "format", "speakers", "segments", "characters"):
            numeric = column in {"speakers", "segments", "characters"}
            table.add_column(column, no_wrap=True, justify="right" if numeric else "left")
        table.add_column("source", overflow="fold")
        for doc in documents:
            table.add_row(doc["id"][:10], doc["kind"], doc["format"], str(len(doc["speakers"])),
                          str(doc["segments"]), f"{doc['characters']:,}", doc["source"])  # fmt: skip
        console.print(table)
    if duplicates:
        table = Table(title=f"{len(duplicates)} duplicate(s), read once", title_justify="left")
        table.add_column("input", overflow="fold")
        table.add_column("same content as", overflow="fold")
        for dup in duplicates:
            table.add_row(dup["path"], dup["same_as"])
        console.print(table)
    if errors:
        table = Table(title=f"{len(errors)} input(s) rejected", title_justify="left")
        table.add_column("input", overflow="fold")
        table.add_column("problem")
        table.add_column("reason", overflow="fold")
        for error in errors:
            table.add_row(error["path"], error["code"], error["reason"])
        console.print(table)


def print_takeaways(summaries: Iterable[DocumentSummary], console: Console) -> None:
    """The top takeaways of each summary; the summaries are read once, so a generator keeps memory flat."""
    from nlp.drafts import document_title  # imported here: the CLI starts before the models load
    from nlp.linguistic import reading_text

    table = Table(title="Takeaways", title_justify="left", show_lines=True)
    table.add_column("document", overflow="fold", max_width=40)
    table.add_column("#", justify="right")
    table.add_column("theme", no_wrap=True)
    table.add_column("headline", overflow="fold")
    for summary in summaries:
        name = document_title(summary)
        for takeaway in summary.takeaways[:3]:
            who = f" ({takeaway.speaker})" if takeaway.speaker else ""
            headline = reading_text(takeaway.text)
            table.add_row(
                name if takeaway.rank == 1 else "", str(takeaway.rank), takeaway.theme, headline + who
            )
    if table.row_count:
        console.print(table)


def print_evaluation(evaluation: Evaluation, console: Console) -> None:
    combined = evaluation.results["combined"]
    table = Table(
        title=f"Theme classification on {evaluation.n_sentences} {evaluation.where}", title_justify="left"
    )
    for column in ("theme", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "theme" else "right")
    for theme, m in combined["per_theme"].items():
        flag = " [red](below 0.6)[/]" if m["f1"] < 0.6 else ""
        table.add_row(
            theme, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}{flag}", str(m["support"])
        )
    for average in ("micro", "macro"):
        m = combined[average]
        table.add_row(
            f"[bold]{average}[/]", f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", ""
        )
    console.print(table)
    variants = Table(title="Variants (micro / macro F1)", title_justify="left")
    variants.add_column("variant")
    variants.add_column("micro F1", justify="right")
    variants.add_column("macro F1", justify="right")
    for name, label in (
        ("combined", "patterns + model"),
        ("model", "model only"),
        ("rules", "patterns only"),
    ):
        r = evaluation.results[name]
        variants.add_row(label, f"{r['micro']['f1']:.3f}", f"{r['macro']['f1']:.3f}")
    console.print(variants)
