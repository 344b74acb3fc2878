"""The ``takeaways`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from flows.fetch import FetchState
from flows.ingestion import IngestResult, ingest_sources
from flows.outputs import write_outputs
from flows.report import print_result, result_as_json
from flows.settings import Settings, get_settings

app = typer.Typer(
    name="takeaways",
    help="Evidence-grounded key takeaways from meeting transcripts and public statements.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
_WIDTH_WHEN_PIPED = 160
console = Console(width=None if sys.stdout.isatty() else _WIDTH_WHEN_PIPED)
err_console = Console(stderr=True)

Sources = Annotated[list[str], typer.Argument(help="files, folders (read recursively) or http(s) URLs")]


def _ingest_with_progress(sources: list[str], settings: Settings, state: FetchState | None) -> IngestResult:
    with Progress(
        SpinnerColumn(), TextColumn("[progress.description]{task.description}"), TimeElapsedColumn(),
        console=err_console, transient=True, disable=not err_console.is_terminal,
    ) as progress:  # fmt: skip
        task = progress.add_task("reading inputs", total=None)
        return ingest_sources(
            sources, settings=settings, state=state,
            on_input=lambda source: progress.update(task, description=f"reading {source}"),
        )  # fmt: skip


def _exit_if_nothing_read(result: IngestResult, sources: list[str]) -> None:
    if result.documents or result.duplicates:
        return
    if result.errors:
        err_console.print(f"[bold red]Nothing to read:[/] all {len(result.errors)} input(s) were rejected.")
    else:
        err_console.print(f"[bold red]Nothing to read:[/] no input files found in {', '.join(sources)}.")
    raise typer.Exit(code=1)


@app.command()
def ingest(
    sources: Sources,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of tables")] = False,
    max_file_bytes: Annotated[int | None, typer.Option(help="reject larger inputs")] = None,
) -> None:
    """Read documents and show what was found and what was rejected (nothing is written)."""
    settings = _settings(max_file_bytes=max_file_bytes)
    result = _ingest_with_progress(sources, settings, state=None)
    if as_json:
        sys.stdout.write(json.dumps(result_as_json(result), indent=1, ensure_ascii=False) + "\n")
    else:
        print_result(result, console)
    _exit_if_nothing_read(result, sources)


@app.command()
def run(
    sources: Sources,
    out: Annotated[Path | None, typer.Option("--out", help="output folder")] = None,
    max_file_bytes: Annotated[int | None, typer.Option(help="reject larger inputs")] = None,
) -> None:
    """Ingest files, folders and URLs and write the output folder."""
    settings = _settings(out_dir=out, max_file_bytes=max_file_bytes)
    state = FetchState(settings.fetch_state_path)
    result = _ingest_with_progress(sources, settings, state=state)
    print_result(result, console)
    _exit_if_nothing_read(result, sources)
    written = write_outputs(result, settings.out_dir)
    state.save()
    console.print(f"Wrote {len(written)} file(s) to [bold]{settings.out_dir}[/].")


def _settings(**overrides: object) -> Settings:
    chosen = {k: v for k, v in overrides.items() if v is not None}
    return get_settings().model_copy(update=chosen) if chosen else get_settings()


def main() -> None:
    app()
