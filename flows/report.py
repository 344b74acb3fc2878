"""The ingestion tables people read in the terminal, and their JSON twin for scripts."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from flows.ingestion import IngestResult


def result_as_json(result: IngestResult) -> dict[str, Any]:
    return {
        "documents": [
            {
                "id": d.id, "source": d.source, "format": d.format, "kind": d.kind, "title": d.title,
                "date": d.date.isoformat() if d.date else None, "speakers": d.speakers,
                "segments": len(d.segments), "characters": len(d.text),
            }
            for d in result.documents
        ],
        "errors": [e.model_dump(mode="json") for e in result.errors],
        "duplicates": [{"path": d.path, "same_as": d.same_as, "id": d.id} for d in result.duplicates],
    }  # fmt: skip


def print_result(result: IngestResult, console: Console) -> None:
    if result.documents:
        table = Table(title=f"{len(result.documents)} document(s) found", title_justify="left")
        for column in ("id", "kind", "format", "speakers", "segments", "characters"):
            numeric = column in {"speakers", "segments", "characters"}
            table.add_column(column, no_wrap=True, justify="right" if numeric else "left")
        table.add_column("source", overflow="fold")
        for doc in result.documents:
            table.add_row(doc.id[:10], doc.kind, doc.format, str(len(doc.speakers)), str(len(doc.segments)),
                          f"{len(doc.text):,}", doc.source)  # fmt: skip
        console.print(table)
    if result.duplicates:
        table = Table(title=f"{len(result.duplicates)} duplicate(s), read once", title_justify="left")
        table.add_column("input", overflow="fold")
        table.add_column("same content as", overflow="fold")
        for dup in result.duplicates:
            table.add_row(dup.path, dup.same_as)
        console.print(table)
    if result.errors:
        table = Table(title=f"{len(result.errors)} input(s) rejected", title_justify="left")
        table.add_column("input", overflow="fold")
        table.add_column("problem")
        table.add_column("reason", overflow="fold")
        for error in result.errors:
            table.add_row(error.path, error.code.value, error.reason)
        console.print(table)
