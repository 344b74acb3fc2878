"""The Prefect flow behind `takeaways run` and `takeaways serve`.

One flow run per invocation: discover and ingest inputs, skip documents the store already holds for the
current model and taxonomy, analyse the rest in batches (one task per batch, the spaCy pipeline loaded
once per worker process), save each batch in one store transaction, then rebuild the corpus view and
publish outputs and Prefect artifacts. Only pydantic models cross task boundaries.
"""

import hashlib
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.context import TaskRunContext
from prefect.futures import PrefectFuture
from prefect.settings import PREFECT_RESULTS_LOCAL_STORAGE_PATH, temporary_settings
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from pydantic import BaseModel, ConfigDict, Field

from flows.analysis import build_analyzer
from flows.fetch import FetchState
from flows.ingestion import ingest_sources
from flows.outputs import write_corpus, write_drafts, write_report, write_schemas, write_summaries
from flows.report import result_as_json
from flows.settings import Settings
from flows.store import Store
from flows.theme_model import load_or_train
from nlp.analyse import AnalysisFailure, Analyzer, analyse
from nlp.corpus import CorpusSummary, aggregate
from nlp.document import Document
from nlp.errors import ErrorCode, IngestError
from nlp.pipeline import candidate_packages
from nlp.summary import DocumentSummary
from nlp.taxonomy import load_taxonomy

FLOW_NAME = "takeaways"

ProgressHook = Callable[[int, int], None]
_progress: list[ProgressHook] = []


class PipelineParameters(BaseModel):
    """What a run needs; typed so the Prefect UI validates a deployment's parameters."""

    model_config = ConfigDict(extra="forbid")

    sources: list[str] = Field(min_length=1, description="files, folders or http(s) URLs")
    out_dir: str = Field(default="out", description="output folder")
    db_url: str | None = Field(default=None, description="store URL; default: SQLite in the output folder")
    batch_size: int = Field(default=32, ge=1, le=10_000)
    n_process: int = Field(default=1, ge=1, le=64, description="processes for spaCy inside a batch")
    max_file_bytes: int | None = Field(default=None, ge=1)
    lock_timeout_s: float = Field(default=60.0, ge=0)

    def settings(self) -> Settings:
        from flows.settings import get_settings

        overrides: dict[str, object] = {
            "out_dir": Path(self.out_dir),
            "batch_size": self.batch_size,
            "n_process": self.n_process,
        }
        if self.db_url:
            overrides["db_url"] = self.db_url
        if self.max_file_bytes:
            overrides["max_file_bytes"] = self.max_file_bytes
        return get_settings().model_copy(update=overrides)


class BatchOutcome(BaseModel):
    summaries: list[DocumentSummary] = Field(default_factory=list)
    failures: list[IngestError] = Field(default_factory=list)


class IngestOutcome(BaseModel):
    documents: list[Document]
    errors: list[IngestError]
    inputs: dict[str, Any] = Field(
        description="documents found, duplicates and rejections, as tables show them"
    )


class RunReport(BaseModel):
    """What the run did, for the CLI, the artifacts and the store's run record."""

    run_id: str
    found: int
    analysed: int
    skipped: int
    failed: int
    inputs: dict[str, Any]
    errors: list[IngestError]
    takeaways: dict[str, list[str]] = Field(description="document id -> headlines of this run's documents")
    out_dir: str
    db_url: str


def store_url(settings: Settings) -> str:
    return settings.db_url or f"sqlite:///{(settings.out_dir / 'takeaways.db').resolve()}"


def version_key(settings: Settings) -> str:
    """Which model, taxonomy and spaCy pipeline analysed a document: a change means re-analysis."""
    model, _ = load_or_train(settings)
    taxonomy = load_taxonomy(settings.taxonomy_path)
    from importlib.metadata import PackageNotFoundError, version

    spacy_pipeline = "blank"
    for package in candidate_packages(settings.spacy_model):
        try:
            spacy_pipeline = f"{package}-{version(package)}"
            break
        except PackageNotFoundError:
            continue
    return f"{model.version}:{taxonomy.digest()}:{spacy_pipeline}"


@lru_cache(maxsize=2)
def _analyzer(settings_json: str) -> Analyzer:
    """Once per worker process: the spaCy pipeline, taxonomy and theme model."""
    analyzer, _ = build_analyzer(Settings.model_validate_json(settings_json))
    return analyzer


def _batch_cache_key(context: TaskRunContext, parameters: dict[str, object]) -> str:
    """Same documents (by content hash) and same model versions: the same result."""
    documents = parameters["documents"]
    assert isinstance(documents, list)
    ids = ",".join(sorted(d.id for d in documents))
    return hashlib.sha256(f"{parameters['versions']}|{ids}".encode()).hexdigest()


@task(name="prepare-model", retries=1)
def prepare_model(settings: Settings) -> str:
    """Train the theme model if there is none, and return the version key of this configuration."""
    return version_key(settings)


@task(name="ingest", retries=2, retry_delay_seconds=[2, 10])
def ingest_task(sources: list[str], settings: Settings) -> IngestOutcome:
    """Read every source; network fetches are the flaky part, hence the retries."""
    state = FetchState(settings.fetch_state_path)
    result = ingest_sources(sources, settings=settings, state=state)
    state.save()
    return IngestOutcome(documents=result.documents, errors=result.errors, inputs=result_as_json(result))


@task(name="analyse-batch", cache_key_fn=_batch_cache_key, persist_result=True, result_serializer="json")
def analyse_batch(documents: list[Document], settings: Settings, versions: str) -> BatchOutcome:
    """One batch through the whole text-mining pass; a failing document is recorded, not raised."""
    analyzer = _analyzer(settings.model_dump_json())
    outcome = BatchOutcome()
    for result in analyse(documents, analyzer=analyzer, n_process=settings.n_process, batch_size=16):
        if isinstance(result, AnalysisFailure):
            outcome.failures.append(
                IngestError(path=result.source, code=ErrorCode.ANALYSIS, reason=result.reason)
            )
        else:
            outcome.summaries.append(result)
    return outcome


@task(name="save-batch", retries=3, retry_delay_seconds=[1, 3, 10])
def save_batch(outcome: BatchOutcome, settings: Settings, versions: str, run_id: str) -> int:
    """Store first (one transaction), then the summary files; a crash between them is repaired later."""
    with Store(store_url(settings)) as store:
        store.save_summaries(outcome.summaries, version_key=versions, run_id=run_id)
        store.record_errors(run_id, outcome.failures)
    write_summaries(outcome.summaries, settings.out_dir)
    write_drafts(outcome.summaries, settings.out_dir, settings.templates_dir)
    return len(outcome.summaries)


@task(name="publish", retries=2, retry_delay_seconds=[1, 5])
def publish(settings: Settings, errors: list[IngestError]) -> CorpusSummary:
    """Rebuild the corpus view from everything the store holds and write the output folder."""
    with Store(store_url(settings)) as store:
        summaries = store.summaries()
    missing = [s for s in summaries if not (settings.out_dir / "summaries" / f"{s.id}.json").exists()]
    write_summaries(missing, settings.out_dir)
    write_drafts(missing, settings.out_dir, settings.templates_dir)
    taxonomy = load_taxonomy(settings.taxonomy_path)
    corpus = aggregate(summaries, labels={t.id: t.label for t in taxonomy.themes}, errors=errors)
    write_corpus(corpus, settings.out_dir)
    write_report(corpus, summaries, settings.out_dir, settings.templates_dir)
    write_schemas(settings.out_dir)
    return corpus


@flow(name=FLOW_NAME, log_prints=False, validate_parameters=True)
def takeaways_pipeline(params: PipelineParameters) -> RunReport:
    """Ingest, analyse what is new or changed, store, and publish outputs and artifacts."""
    logger = get_run_logger()
    settings = params.settings()
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    url = store_url(settings)
    with Store(url) as store, store.run_lock(timeout_s=params.lock_timeout_s):
        run_id = store.start_run(params.model_dump(mode="json"))
        try:
            report = _run(params, settings, store, run_id, url)
        except BaseException:
            store.finish_run(run_id, status="failed", counts={})
            raise
        counts = {k: getattr(report, k) for k in ("found", "analysed", "skipped", "failed")}
        store.finish_run(run_id, status="completed", counts=counts)
    logger.info("analysed %d, skipped %d, failed %d", report.analysed, report.skipped, report.failed)
    return report


def _run(params: PipelineParameters, settings: Settings, store: Store, run_id: str, url: str) -> RunReport:
    versions = prepare_model(settings)
    ingested = ingest_task(params.sources, settings)
    store.record_errors(run_id, ingested.errors)
    todo_ids = store.needs_analysis({d.id: versions for d in ingested.documents})
    todo = [d for d in ingested.documents if d.id in todo_ids]
    batches = [todo[i : i + settings.batch_size] for i in range(0, len(todo), settings.batch_size)]
    futures: list[PrefectFuture[BatchOutcome]] = [
        analyse_batch.submit(batch, settings, versions) for batch in batches
    ]
    analysed, failures, headlines = 0, [], {}
    for future in futures:
        outcome = future.result()
        analysed += save_batch(outcome, settings, versions, run_id)
        failures.extend(outcome.failures)
        headlines.update({s.id: [t.text for t in s.takeaways] for s in outcome.summaries})
        for hook in _progress:
            hook(analysed + len(failures), len(todo))
    corpus = publish(settings, [*ingested.errors, *failures])
    report = RunReport(
        run_id=run_id,
        found=len(ingested.documents),
        analysed=analysed,
        skipped=len(ingested.documents) - len(todo),
        failed=len(failures),
        inputs=ingested.inputs,
        errors=[*ingested.errors, *failures],
        takeaways=headlines,
        out_dir=str(settings.out_dir),
        db_url=url,
    )
    _artifacts(report, corpus)
    return report


def _artifacts(report: RunReport, corpus: CorpusSummary) -> None:
    """A Markdown run summary and a theme-prevalence table in the Prefect UI."""
    lines = [
        f"# Takeaways run {report.run_id}",
        "",
        f"- documents found: {report.found}; analysed: {report.analysed}; unchanged: {report.skipped}",
        f"- failed: {report.failed}; inputs rejected: {len(report.errors) - report.failed}",
        "",
    ]
    if report.errors:
        lines += ["## Problems", "", "| input | reason |", "|---|---|"]
        lines += [f"| {e.path} | {e.reason} |" for e in report.errors[:50]]
        lines.append("")
    totals: dict[str, float] = {}
    for entry in corpus.documents:
        for theme, share in entry.prevalence.items():
            totals[theme] = totals.get(theme, 0.0) + share
    if totals:
        lines += ["## Top themes", ""]
        lines += [
            f"- {corpus.themes.get(t, t)}: {v:.2f}"
            for t, v in sorted(totals.items(), key=lambda kv: -kv[1])[:5]
        ]
        lines.append("")
    if report.takeaways:
        lines += ["## Top takeaways of this run", ""]
        for doc_id, texts in list(report.takeaways.items())[:10]:
            if texts:
                lines.append(f"- `{doc_id[:10]}`: {texts[0]}")
    create_markdown_artifact(
        "\n".join(lines), key="takeaways-run-summary", description="Takeaways run summary"
    )
    rows = [
        {"document": (e.title or e.source)[:80], **{t: e.prevalence.get(t, 0.0) for t in corpus.themes}}
        for e in corpus.documents
    ]
    if rows:
        create_table_artifact(rows, key="theme-prevalence", description="Share of sentences per theme")


def task_runner(kind: str, *, dask_address: str | None = None, workers: int = 2) -> TaskRunner[Any]:
    """The local runner analyses batches one at a time (spaCy is CPU-bound); Dask spreads them out."""
    if kind == "dask":
        from prefect_dask.task_runners import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            },
        )
    return ThreadPoolTaskRunner(max_workers=1)


def cache_dir(settings: Settings) -> Path:
    """Cached batch results live beside the outputs, so a crash after analysis costs no re-analysis."""
    return (settings.out_dir / ".cache").resolve()


def run_pipeline(
    params: PipelineParameters,
    *,
    runner: str = "local",
    dask_address: str | None = None,
    progress: ProgressHook | None = None,
) -> RunReport:
    """Run the flow once with the chosen task runner (what `takeaways run` calls)."""
    configured = takeaways_pipeline.with_options(task_runner=task_runner(runner, dask_address=dask_address))
    cache = str(cache_dir(params.settings()))
    os.environ["PREFECT_RESULTS_LOCAL_STORAGE_PATH"] = cache  # for worker processes started by this run
    if progress is not None:
        _progress.append(progress)
    try:
        with temporary_settings(updates={PREFECT_RESULTS_LOCAL_STORAGE_PATH: cache}):
            return configured(params)
    finally:
        if progress is not None:
            _progress.remove(progress)
