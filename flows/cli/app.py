"""The ``takeaways`` command line."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
from rich.table import Table

from flows.atomic import write_text_atomic
from flows.cli.console import print_evaluation, print_inputs, print_result, print_takeaways, result_as_json
from flows.run.prefect_env import configure_prefect
from flows.run.prefect_server import skip_final_collection, start_ephemeral_api
from flows.settings import Settings, get_settings
from nlp.summary import DocumentSummary
from nlp.taxonomy import load_taxonomy

if TYPE_CHECKING:  # spaCy, scikit-learn and Prefect are imported by the commands that use them
    from flows.inputs.ingestion import IngestResult
    from flows.run.pipeline import PipelineParameters as PipelineParametersType

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


def _no_empty_source(sources: list[str]) -> list[str]:
    """An empty argument (a shell variable left unset) would resolve to the current folder and read all of
    it: refused instead."""
    if any(not s.strip() for s in sources):
        raise typer.BadParameter("an empty source was given (an unset shell variable?)")
    return sources


Sources = Annotated[
    list[str],
    typer.Argument(help="files, folders (read recursively) or http(s) URLs", callback=_no_empty_source),
]


def _ingest_with_progress(sources: list[str], settings: Settings) -> IngestResult:
    from flows.inputs.ingestion import ingest_sources

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
            on_input=lambda source: progress.update(task, description=f"reading {source}"),
        )


def _exit_if_nothing_read(result: IngestResult, sources: list[str]) -> None:
    _exit_if_nothing_read_payload(result_as_json(result), sources)


def _exit_if_nothing_read_payload(inputs: dict[str, Any], sources: list[str]) -> None:
    if inputs["documents"] or inputs["duplicates"]:
        return
    if inputs["errors"]:
        err_console.print(
            f"[bold red]Nothing to read:[/] all {len(inputs['errors'])} input(s) were rejected."
        )
    else:
        err_console.print(f"[bold red]Nothing to read:[/] no input files found in {', '.join(sources)}.")
    raise typer.Exit(code=1)


def _load_summary(out_dir: Path, doc_id: str) -> DocumentSummary | None:
    path = out_dir / "summaries" / f"{doc_id}.json"
    return DocumentSummary.model_validate_json(path.read_text("utf-8")) if path.exists() else None


def _summary_paths(out_dir: Path) -> list[Path]:
    """The output folder's summary files; exits with a message when a run has not written any."""
    folder = out_dir / "summaries"
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not paths:
        err_console.print(f"[bold red]No summaries in {folder}:[/] run `takeaways run` first.")
        raise typer.Exit(code=1)
    return paths


def _summary_by_prefix(paths: list[Path], doc_id: str) -> DocumentSummary:
    """The one summary whose document id starts with ``doc_id``; exits with a message otherwise."""
    matches = [p for p in paths if p.stem.startswith(doc_id)]
    if len(matches) != 1:
        folder = paths[0].parent
        err_console.print(f"{len(matches) or 'No'} document id(s) start with {doc_id!r} in {folder}.")
        raise typer.Exit(code=1)
    return DocumentSummary.model_validate_json(matches[0].read_text("utf-8"))


@app.command()
def ingest(
    sources: Sources,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of tables")] = False,
    max_file_bytes: Annotated[int | None, typer.Option(help="reject larger inputs")] = None,
) -> None:
    """Read documents and show what was found and what was rejected (nothing is written)."""
    settings = _settings(max_file_bytes=max_file_bytes)
    result = _ingest_with_progress(sources, settings)
    if as_json:
        sys.stdout.write(json.dumps(result_as_json(result), indent=1, ensure_ascii=False) + "\n")
    else:
        print_result(result, console)
    _exit_if_nothing_read(result, sources)


SHOWN_DOCUMENTS = 20
"""A run prints the takeaways of this many documents; the report has them all."""
Out = Annotated[Path | None, typer.Option("--out", help="output folder (default: out/)")]
Db = Annotated[str | None, typer.Option("--db", help="store URL (default: SQLite in the output folder)")]
Runner = Annotated[
    str, typer.Option("--task-runner", help="local (worker processes), thread (one process), or dask")
]
NProcess = Annotated[
    int | None,
    typer.Option("--n-process", help="analysing processes (default: one per core, for runs large enough)"),
]
DaskAddress = Annotated[
    str | None, typer.Option("--dask-address", help="scheduler of an existing Dask cluster")
]
Verbose = Annotated[bool, typer.Option("-v", "--verbose", help="show Prefect's logs")]
Metadata = Annotated[
    list[Path] | None,
    typer.Option(
        "--metadata",
        help="CSV or JSON sidecar with title, date, speaker, role, organisation, event, place by file name "
        "(repeatable)",
    ),
]


def _parameters(
    sources: list[str],
    out: Path | None,
    db: str | None,
    n_process: int | None,
    max_file_bytes: int | None,
    metadata: list[Path] | None = None,
    lock_timeout: float | None = None,
) -> PipelineParametersType:
    from flows.inputs.ingestion import load_metadata
    from flows.run.pipeline import PipelineParameters
    from nlp.metadata import MetadataError

    settings = get_settings()
    sidecars = [p.resolve() for p in (metadata or settings.metadata_files)]
    try:
        load_metadata(sidecars)
    except MetadataError as exc:
        err_console.print(f"[bold red]Cannot run:[/] {exc}")
        raise typer.Exit(code=2) from None
    return PipelineParameters(
        metadata=[str(p) for p in sidecars],
        sources=[s if "://" in s else str(Path(s).resolve()) for s in sources],
        out_dir=str((out or settings.out_dir).resolve()),
        db_url=db or settings.db_url,
        batch_size=settings.batch_size,
        n_process=n_process or settings.n_process,
        max_file_bytes=max_file_bytes,
        lock_timeout_s=settings.lock_timeout_s if lock_timeout is None else lock_timeout,
    )  # fmt: skip


def _all_new(out: Path | None, db: str | None) -> bool:
    """Whether the run's store does not exist yet, so every input will be analysed: then the first
    analysing process starts with the command. A run on an existing store starts it when it finds
    something new (a run with nothing new never does)."""
    settings = get_settings().model_copy(update={"out_dir": out}) if out else get_settings()
    url = settings.store_url(db)
    return url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists()


@app.command()
def run(
    sources: Sources,
    out: Out = None,
    db: Db = None,
    max_file_bytes: Annotated[int | None, typer.Option(help="reject larger inputs")] = None,
    n_process: NProcess = None,
    task_runner: Runner = "local",
    dask_address: DaskAddress = None,
    metadata: Metadata = None,
    verbose: Verbose = False,
    lock_timeout: Annotated[
        float | None,
        typer.Option(
            help="seconds to wait for another run on the same store (default 60; TAKEAWAYS_LOCK_TIMEOUT_S)"
        ),
    ] = None,
) -> None:
    """Ingest files, folders and URLs, analyse what is new or changed, and write the output folder."""
    configure_prefect(verbose=verbose)
    start_ephemeral_api()  # boots while spaCy and Prefect are imported
    if task_runner == "local" and _all_new(out, db):  # the models load meanwhile too
        from flows.run.engine import start_engine

        start_engine(get_settings(), workers=n_process or get_settings().n_process)
    from flows.run.pipeline import run_pipeline
    from flows.store import StoreBusy, StoreError

    params = _parameters(sources, out, db, n_process, max_file_bytes, metadata, lock_timeout)
    with _progress() as progress:
        task = progress.add_task("running the pipeline", total=None)
        try:
            report = run_pipeline(
                params, runner=task_runner, dask_address=dask_address,
                progress=lambda done, total: progress.update(task, completed=done, total=total,
                                                             description="analysing"),
            )  # fmt: skip
        except (StoreBusy, StoreError) as exc:
            err_console.print(f"[bold red]Cannot run:[/] {exc}")
            raise typer.Exit(code=2) from None
    print_inputs(report.inputs, console)
    if not report.found and not report.inputs["duplicates"]:
        _exit_if_nothing_read_payload(report.inputs, sources)
    shown = list(report.takeaways)[:SHOWN_DOCUMENTS]
    loaded = (_load_summary(Path(report.out_dir), doc_id) for doc_id in shown)
    if shown:  # (the table's code imports the drafts' modules: a run with nothing new spares that)
        print_takeaways((s for s in loaded if s is not None), console)  # one summary in memory at a time
    if len(report.takeaways) > len(shown):
        more = len(report.takeaways) - len(shown)
        console.print(f"… and {more} more documents: see {Path(report.out_dir) / 'report.html'}")
    failures = [e for e in report.errors if e.code == "analysis_failed"]
    for failure in failures:
        err_console.print(f"[red]analysis failed[/] {failure.path}: {failure.reason}")
    again = f" ({report.reanalysed} stored by an older model, analysed again)" if report.reanalysed else ""
    console.print(
        f"{report.analysed} analysed{again}, {report.skipped} unchanged, {report.failed} failed; "
        f"outputs in [bold]{report.out_dir}[/], store {report.db_url}"
    )
    if failures:  # a good input was not processed (bad inputs alone are listed and do not fail the run)
        raise typer.Exit(code=1)


@app.command()
def serve(
    sources: Sources,
    cron: Annotated[str | None, typer.Option(help='cron schedule, e.g. "0 6 * * *"')] = None,
    interval: Annotated[float | None, typer.Option(help="or: seconds between runs")] = None,
    name: Annotated[str, typer.Option(help="deployment name")] = "takeaways-scheduled",
    out: Out = None,
    db: Db = None,
    metadata: Metadata = None,
    verbose: Verbose = False,
) -> None:
    """Create a deployment and run the pipeline on a schedule until interrupted (Prefect's flow.serve)."""
    if (cron is None) == (interval is None):
        err_console.print("Give exactly one of --cron or --interval.")
        raise typer.Exit(code=2)
    configure_prefect(verbose=verbose)
    from flows.run.prefect_server import prefect_api

    params = _parameters(sources, out, db, None, None, metadata)
    Path(params.out_dir).mkdir(parents=True, exist_ok=True)
    with prefect_api(log_path=str(Path(params.out_dir) / "prefect-server.log")) as api:
        err_console.print(f"Prefect API at {api}; runs every {cron or f'{interval} s'} until interrupted.")
        _serve(params, name=name, cron=cron, interval=interval)


def _serve(params: PipelineParametersType, *, name: str, cron: str | None, interval: float | None) -> None:
    from flows.run.pipeline import takeaways_pipeline

    takeaways_pipeline.serve(
        name=name, cron=cron, interval=interval, parameters={"params": params.model_dump(mode="json")},
        description="Takeaways over " + ", ".join(params.sources), print_starting_message=True,
    )  # fmt: skip


@app.command()
def status(out: Out = None, db: Db = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """What the store holds: documents, model versions, the last runs and their errors."""
    from flows.store import Store, StoreError

    settings = _settings(out_dir=out)
    url = settings.store_url(db)
    try:
        with Store(url, create=False) as store:
            info = store.status()
    except StoreError as exc:
        err_console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(code=2) from None
    if as_json:
        sys.stdout.write(json.dumps(info, indent=1, default=str) + "\n")
        return
    console.print(
        f"Store {info['store']} (schema {info['schema_revision']}): {info['documents']} documents, "
        f"{info['sentences']} sentences, {info['takeaways']} takeaways, {info['decisions']} decisions"
    )
    current = _current_versions(settings)
    for version, n in info["versions"].items():
        mark = " (current)" if version == current else " (older: `takeaways run` analyses these again)"
        console.print(f"  {n} document(s) analysed with {version}{mark if current else ''}")
    runs = Table(title="Last runs", title_justify="left")
    for column in ("run", "started", "status", "counts"):
        runs.add_column(column, overflow="fold")
    for run in info["last_runs"]:
        runs.add_row(
            str(run["id"])[:12], str(run["started_at"])[:19], run["status"], json.dumps(run.get("counts"))
        )
    console.print(runs)
    for error in info["last_errors"]:
        console.print(f"[red]{error['code']}[/] {error['path']}: {error['reason']}")


def _current_versions(settings: Settings) -> str | None:
    """The version key a run would analyse with now (None when no model is there to say)."""
    from flows.run.pipeline import version_key
    from nlp.model_files import ModelError, active_model_dir

    try:
        active_model_dir(settings.model_search_path, taxonomy=load_taxonomy(settings.taxonomy_path))
    except ModelError:
        return None  # no model yet: asking would train one
    return version_key(settings)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="parquet, csv or json")] = "parquet",
    out: Annotated[Path, typer.Option("--out", help="folder for the tables")] = Path("export"),
    source: Annotated[
        str | None, typer.Option("--from", help="store URL or output folder (default: out/)")
    ] = None,
) -> None:
    """Write documents, sentences, themes, takeaways, quotes, entities and prevalence tables for pandas."""
    from flows.outputs.frames import export_frames, open_frames
    from flows.store import StoreError

    if fmt not in ("parquet", "csv", "json"):
        err_console.print(f"Unknown format {fmt!r}: use parquet, csv or json.")
        raise typer.Exit(code=2)
    settings = get_settings()
    location = settings.store_url(source)
    try:
        with open_frames(location) as frames:
            paths = export_frames(frames, out, fmt)  # type: ignore[arg-type]
    except StoreError as exc:
        err_console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(code=2) from None
    console.print(f"Wrote {len(paths)} table(s) to {out}.")


@app.command()
def draft(
    doc_id: Annotated[str | None, typer.Argument(help="document id, or a unique prefix of it")] = None,
    collection: Annotated[
        str | None,
        typer.Option("--collection", help="one draft for every document whose title, event or path names it"),
    ] = None,
    out: Out = None,
) -> None:
    """Write a reporter's draft (Markdown and DOCX) from the summaries in the output folder."""
    from flows.outputs.files import write_draft
    from nlp.drafts import build_collection_draft, build_document_draft, select_collection

    if (doc_id is None) == (collection is None):
        err_console.print("Give a DOC_ID or --collection NAME (one of the two).")
        raise typer.Exit(code=2)
    settings = _settings(out_dir=out)
    paths = _summary_paths(settings.out_dir)
    if doc_id is not None:
        summary = _summary_by_prefix(paths, doc_id)
        built = build_document_draft(summary, templates_dir=settings.templates_dir)
    else:
        assert collection is not None
        everything = [DocumentSummary.model_validate_json(p.read_text("utf-8")) for p in paths]
        chosen = select_collection(everything, collection)
        if not chosen:
            err_console.print(f"No document's title, event, organiser or path mentions {collection!r}.")
            raise typer.Exit(code=1)
        built = build_collection_draft(chosen, name=collection, templates_dir=settings.templates_dir)
    for path in write_draft(built, settings.out_dir, settings.templates_dir):
        console.print(f"Wrote [bold]{path}[/]")
    for check in built.checks:
        console.print(f"  [yellow]check before publishing:[/] {check.text}")


@app.command()
def brief(
    doc_id: Annotated[str, typer.Argument(help="document id, or a unique prefix of it")],
    words: Annotated[int, typer.Option("--words", min=1, help="word budget")] = 150,
    out: Out = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """What a document covered, in N words: its sentences that cover most of its recurring subjects."""
    from nlp.extractive import extractive_summary

    settings = _settings(out_dir=out)
    summary = _summary_by_prefix(_summary_paths(settings.out_dir), doc_id)
    chosen = extractive_summary(summary, word_budget=words)
    if as_json:
        rows = [
            {"i": r.i, "start": r.start, "end": r.end, "speaker": r.speaker, "text": r.text} for r in chosen
        ]
        sys.stdout.write(
            json.dumps({"id": summary.id, "sentences": rows}, indent=1, ensure_ascii=False) + "\n"
        )
        return
    from nlp.linguistic import reading_text

    console.print(f"[bold]{summary.title or Path(summary.source).name}[/]")
    for record in chosen:
        who = f"[cyan]{record.speaker}:[/] " if record.speaker else ""
        console.print(f"{who}{reading_text(record.text)} [dim]({record.start}-{record.end})[/]")


@app.command()
def review(
    db: Db = None,
    out: Out = None,
    host: Annotated[
        str, typer.Option(help="interface to listen on; beyond loopback needs --token")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8765,
    token: Annotated[
        str | None,
        typer.Option(envvar="TAKEAWAYS_REVIEW_TOKEN", help="access token every request must carry"),
    ] = None,
) -> None:
    """The analyst review web app: documents, themes, takeaways, a review queue, retraining."""
    from flows.store import StoreError
    from review import ReviewConfigError, serve_review

    settings = _settings(out_dir=out)
    try:
        serve_review(host, port, token, db_url=settings.store_url(db), settings=settings)
    except (ReviewConfigError, StoreError) as exc:
        err_console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(code=2) from None


decisions_app = typer.Typer(
    help="Analysts' decisions as JSON Lines: export to share or version them, import from elsewhere.",
    no_args_is_help=True,
)
app.add_typer(decisions_app, name="decisions")
Outputs = Annotated[
    Path | None, typer.Option("--outputs", help="output folder whose store to use (default: out/)")
]


@decisions_app.command("export")
def decisions_export(
    to: Annotated[Path | None, typer.Option("--out", help="file to write (default: standard output)")] = None,
    db: Db = None,
    outputs: Outputs = None,
) -> None:
    """Every decision, one JSON object a line, in the order they were made."""
    from flows.store import Store, StoreError
    from flows.store.decisions import export_lines

    settings = _settings(out_dir=outputs)
    try:
        with Store(settings.store_url(db), create=False) as store:
            lines = list(export_lines(store.decisions()))
    except StoreError as exc:
        err_console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(code=2) from None
    if to is None:
        sys.stdout.write("".join(lines))
        return
    write_text_atomic(to, "".join(lines))
    err_console.print(f"Wrote {len(lines)} decision(s) to {to}.")


@decisions_app.command("import")
def decisions_import(
    path: Annotated[Path, typer.Argument(help="a JSON Lines file of decisions")],
    db: Db = None,
    outputs: Outputs = None,
) -> None:
    """Add the file's decisions that the store does not hold yet; a bad line stops it before any is added.
    They reach the outputs at the next `takeaways run`."""
    from flows.store import Store, StoreError
    from flows.store.decisions import DecisionFileError, read_lines

    settings = _settings(out_dir=outputs)
    theme_ids = load_taxonomy(settings.taxonomy_path).ids
    try:
        with Store(settings.store_url(db), create=False) as store:
            decisions = read_lines(path, store, theme_ids)
            added = store.import_decisions(decisions)
    except (DecisionFileError, StoreError) as exc:
        err_console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(code=2) from None
    console.print(
        f"Imported {added} new decision(s) of {len(decisions)} in {path}; "
        "`takeaways run` applies them to the outputs."
    )


@app.command()
def search(
    query: Annotated[
        str, typer.Argument(help="a question or phrase, e.g. 'teacher shortages in rural schools'")
    ],
    theme: Annotated[
        str | None, typer.Option("--theme", help="boost sentences carrying this theme id")
    ] = None,
    doc: Annotated[str | None, typer.Option("--doc", help="only this document (id or source path)")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="how many sentences")] = 10,
    out: Out = None,
    db: Db = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Ranked evidence sentences for a question, with document, speaker and offsets (BM25 + themes)."""
    from flows.store import Store, StoreError
    from nlp.search import SearchIndex

    settings = _settings(out_dir=out)
    try:
        with Store(settings.store_url(db), create=False) as store:
            summaries = store.summaries()
    except StoreError as exc:
        err_console.print(f"[bold red]{exc}[/] (run `takeaways run` first)")
        raise typer.Exit(code=2) from None
    index = SearchIndex.build(summaries, taxonomy=load_taxonomy(settings.taxonomy_path))
    hits = index.search(query, top_k=top, theme=theme, doc=doc)
    if as_json:
        rows = [dataclasses.asdict(hit) for hit in hits]
        sys.stdout.write(json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{len(hits)} sentence(s) for {query!r}", title_justify="left", show_lines=True)
    for column in ("score", "document", "speaker", "offsets", "sentence"):
        table.add_column(column, overflow="fold", justify="right" if column == "score" else "left")
    for hit in hits:
        table.add_row(f"{hit.score:.2f}", Path(hit.source).name, hit.speaker or "-", f"{hit.start}-{hit.end}",
                      hit.text)  # fmt: skip
    console.print(table)


@app.command()
def themes(
    taxonomy: Annotated[
        Path | None, typer.Option(help="taxonomy YAML (default: configs/taxonomy.yaml)")
    ] = None,
) -> None:
    """Read JSONL {"id", "text"} on stdin; write JSONL {"id", "themes", "scores"} on stdout."""
    from flows.models.train import load_or_train
    from nlp.linguistic import analysis_pipeline
    from nlp.patterns import PatternMatcher
    from nlp.themes import combine
    from nlp.training import sentence_hits

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
    with_reviews: Annotated[
        bool,
        typer.Option(
            "--with-reviews", help="add analysts' decisions; kept only if not worse on the eval set"
        ),
    ] = False,
    restore_previous: Annotated[
        bool, typer.Option("--restore-previous", help="bring back the model the last promotion replaced")
    ] = False,
    ship: Annotated[
        bool,
        typer.Option(
            "--ship", help="rebuild the model shipped in configs/theme_model (needs ../shared/data)"
        ),
    ] = False,
    out: Out = None,
    db: Db = None,
) -> None:
    """(Re)train the theme model from the corpus labels, the taxonomy examples and, optionally, reviews."""
    settings = _settings(taxonomy_path=taxonomy, out_dir=out)
    if ship:
        from flows.models.train import real_items, train_and_save

        if not real_items(settings, load_taxonomy(settings.taxonomy_path), split="train"):
            err_console.print(
                f"[bold red]The shipped model is trained on the real labelled sentences, which point into "
                f"{settings.data_dir}: that folder or the labels are missing.[/]"
            )
            raise typer.Exit(code=1)
        with err_console.status("training the shipped theme model", spinner="dots"):
            model = train_and_save(settings, folder=settings.shipped_model_dir)
        console.print(f"Trained theme model {model.version}; saved to {settings.shipped_model_dir}.")
        return
    if restore_previous:
        from flows.models.retrain import ReviewError, restore_previous_model

        try:
            version = restore_previous_model(settings)
        except ReviewError as exc:
            err_console.print(f"[bold red]{exc}[/]")
            raise typer.Exit(code=1) from None
        console.print(f"Restored theme model {version} in {settings.theme_model_dir}.")
        return
    if with_reviews:
        from flows.models.retrain import format_result, retrain_with_reviews
        from flows.store import Store, StoreError

        try:
            store = Store(settings.store_url(db), create=False)
        except StoreError as exc:
            err_console.print(f"[bold red]{exc}[/]")
            raise typer.Exit(code=1) from None
        with store, err_console.status("training with the analysts' decisions", spinner="dots"):
            result = retrain_with_reviews(settings, store)
        console.print(format_result(result), markup=False, highlight=False)
        return
    from flows.models.train import train_and_save

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
    from flows.models.train import evaluate, load_or_train
    from nlp.linguistic import analysis_pipeline

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
    skip_final_collection()
    app()
