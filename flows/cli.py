"""The ``takeaways`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from flows.analysis import analyse_documents, build_analyzer, corpus_view
from flows.atomic import write_text_atomic
from flows.fetch import FetchState
from flows.ingestion import IngestResult, ingest_sources
from flows.outputs import write_corpus, write_schemas, write_summaries
from flows.report import print_evaluation, print_result, print_takeaways, result_as_json
from flows.settings import Settings, get_settings
from flows.theme_model import evaluate, load_or_train, train_and_save
from nlp.linguistic import analysis_pipeline
from nlp.patterns import PatternMatcher
from nlp.taxonomy import load_taxonomy
from nlp.themes import combine
from nlp.training import sentence_hits

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
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as progress:
        task = progress.add_task("reading inputs", total=None)
        return ingest_sources(
            sources,
            settings=settings,
            state=state,
            on_input=lambda source: progress.update(task, description=f"reading {source}"),
        )


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
    n_process: Annotated[int | None, typer.Option("--n-process", help="processes for spaCy")] = None,
) -> None:
    """Ingest files, folders and URLs, find their takeaways and write the output folder."""
    settings = _settings(out_dir=out, max_file_bytes=max_file_bytes, n_process=n_process)
    state = FetchState(settings.fetch_state_path)
    result = _ingest_with_progress(sources, settings, state=state)
    print_result(result, console)
    _exit_if_nothing_read(result, sources)
    with err_console.status("loading the language pipeline and theme model", spinner="dots"):
        analyzer, trained = build_analyzer(settings)
    if trained:
        err_console.print(f"Trained a theme model (none was saved yet) into {settings.theme_model_dir}.")
    with _progress() as progress:
        task = progress.add_task("analysing", total=len(result.documents))
        analysis = analyse_documents(
            result.documents, analyzer=analyzer, settings=settings, on_document=lambda: progress.advance(task)
        )
    corpus = corpus_view(analyzer, analysis, result.errors)
    written = [
        *write_summaries(analysis.summaries, settings.out_dir),
        write_corpus(corpus, settings.out_dir),
        *write_schemas(settings.out_dir),
    ]
    state.save()
    print_takeaways(analysis.summaries, console)
    for failure in analysis.failures:
        err_console.print(f"[red]analysis failed[/] {failure.source}: {failure.reason}")
    console.print(f"Wrote {len(written)} file(s) to [bold]{settings.out_dir}[/].")


@app.command()
def themes(
    taxonomy: Annotated[
        Path | None, typer.Option(help="taxonomy YAML (default: configs/taxonomy.yaml)")
    ] = None,
) -> None:
    """Read JSONL {"id", "text"} on stdin; write JSONL {"id", "themes", "scores"} on stdout."""
    settings = _settings(taxonomy_path=taxonomy)
    nlp = analysis_pipeline(settings.spacy_model)
    model, _ = load_or_train(settings, nlp=nlp)
    matcher = PatternMatcher(nlp, load_taxonomy(settings.taxonomy_path))
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = str(item["text"])
        except (ValueError, KeyError, TypeError):
            err_console.print(f"line {number}: expected a JSON object with 'id' and 'text'; skipped")
            continue
        hits = sentence_hits(nlp, matcher, [text])
        model_p, pattern_r = model.probabilities([text], hits)
        decision = model.decide([text], hits)[0]
        scores = dict(zip(model.theme_ids, combine(model_p[0], pattern_r[0]).round(4).tolist(), strict=True))
        out = {"id": item.get("id"), "themes": list(decision.scores), "scores": scores}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")


@app.command()
def train(
    taxonomy: Annotated[
        Path | None, typer.Option(help="taxonomy YAML (default: configs/taxonomy.yaml)")
    ] = None,
) -> None:
    """(Re)train the theme model from the labelled corpus and the taxonomy's examples."""
    settings = _settings(taxonomy_path=taxonomy)
    with err_console.status("training the theme model", spinner="dots"):
        model = train_and_save(settings)
    oof = model.metadata["out_of_fold"]["combined"]
    console.print(
        f"Trained theme model {model.version} on {model.metadata['n_train']} sentences "
        f"(out-of-fold micro-F1 {oof['micro']['f1']:.3f}); saved to {settings.theme_model_dir}."
    )


@app.command(name="eval")
def evaluate_command(
    out: Annotated[Path | None, typer.Option("--out", help="where to write eval.json")] = None,
    taxonomy: Annotated[
        Path | None, typer.Option(help="taxonomy YAML (default: configs/taxonomy.yaml)")
    ] = None,
) -> None:
    """Precision, recall and F1 per theme on the held-out labelled sentences."""
    settings = _settings(taxonomy_path=taxonomy, out_dir=out)
    nlp = analysis_pipeline(settings.spacy_model)
    model, _ = load_or_train(settings, nlp=nlp)
    evaluation = evaluate(settings, model, nlp=nlp)
    print_evaluation(evaluation, console)
    path = settings.out_dir / "eval.json"
    payload = {
        "theme_model": model.version,
        "n_sentences": evaluation.n_sentences,
        "variants": evaluation.results,
    }
    write_text_atomic(path, json.dumps(payload, indent=1))
    console.print(f"Wrote {path}.")


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


def _settings(**overrides: object) -> Settings:
    chosen = {k: v for k, v in overrides.items() if v is not None}
    return get_settings().model_copy(update=chosen) if chosen else get_settings()


def main() -> None:
    app()
