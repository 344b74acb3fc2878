"""The Prefect flow behind `takeaways run` and `takeaways serve`.

One flow run per invocation: discover inputs, then stream them: read a batch of inputs, skip documents
the store already holds for the current model and taxonomy, and send the rest, a batch at a time, to
``analyse-batch`` (spaCy and everything after it) and then ``save-batch`` (one store transaction, then
the document's files). A local run's tasks run in threads of this process; ``analyse-batch`` hands its
batch to the run's analysing processes (``flows.run.engine``), so while they analyse the next batches
this process saves the last one. Then rebuild the corpus view and publish outputs and Prefect
artifacts. At most ``IN_FLIGHT`` batches of documents are held at once, so memory does not grow with
the number of inputs. Only pydantic models cross task boundaries; large ones are wrapped in ``quote``
so Prefect does not walk every field looking for futures.

A Dask worker imports this module to run a task, so scikit-learn, SQLAlchemy and Jinja are imported
inside the tasks that use them.
"""

import hashlib
import importlib
import json
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.context import FlowRunContext, TaskRunContext
from prefect.futures import PrefectFuture
from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
    PREFECT_RESULTS_LOCAL_STORAGE_PATH,
    temporary_settings,
)
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import quote
from pydantic import BaseModel, ConfigDict, Field

from flows.atomic import remove_orphaned_temp_files
from flows.inputs.fetch import FetchChanges, FetchState, is_url
from flows.inputs.ingestion import IngestLog, Input, discover_inputs, read_inputs
from flows.run.engine import (
    GROW_CHARS,
    BatchOutcome,
    Engine,
    analyse_documents,
    analysis_json,
    cores,
    running_engine,
    start_engine,
    stop_engine,
)
from flows.run.prefect_server import run_api
from flows.run.publish_cache import outputs_complete
from flows.settings import Settings
from nlp.document import Document
from nlp.errors import ErrorCode, IngestError
from nlp.metadata import GIVEN_SEPARATOR, given
from nlp.pipeline import candidate_packages
from nlp.taxonomy import load_taxonomy

if TYPE_CHECKING:  # this module has no `from __future__ import annotations`: a served flow's
    # parameters are validated against its annotations, which must then be real classes
    from flows.store import Store
    from nlp.corpus import CorpusSummary

FLOW_NAME = "takeaways"
logger = logging.getLogger(__name__)
T = TypeVar("T")
IN_FLIGHT = 4
"""Batches submitted and not yet saved: enough to keep the parser, the analyser and the saver (or two
Dask workers) busy, and a bound on how many documents a run holds in memory."""
SMALLEST_BATCH = 4
"""Where the last batches stop tapering: smaller ones would cost more in per-task overhead than they
save at the end of a run."""
_PUBLISH_PREFIX = "publish-"

ProgressHook = Callable[[int, int], None]
_progress: list[ProgressHook] = []


class PipelineParameters(BaseModel):
    """What a run needs; typed so the Prefect UI validates a deployment's parameters."""

    model_config = ConfigDict(extra="forbid")

    sources: list[str] = Field(min_length=1, description="files, folders or http(s) URLs")
    out_dir: str = Field(default="out", description="output folder")
    db_url: str | None = Field(default=None, description="store URL; default: SQLite in the output folder")
    batch_size: int = Field(default=32, ge=1, le=10_000)
    n_process: int | None = Field(
        default=None, ge=1, le=64, description="analysing processes; default: one per core for large runs"
    )
    max_file_bytes: int | None = Field(default=None, ge=1)
    metadata: list[str] = Field(default_factory=list, description="CSV or JSON metadata sidecars")
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
        if self.metadata:
            overrides["metadata_files"] = [Path(m) for m in self.metadata]
        return get_settings().model_copy(update=overrides)


class IngestOutcome(BaseModel):
    """A batch of inputs read: each source with its document or its error record."""

    items: list[tuple[str, Document | IngestError]]
    fetched: FetchChanges = Field(default_factory=FetchChanges)
    """fetch state learnt, committed by the flow only once the documents are stored"""


class RunReport(BaseModel):
    """What the run did, for the CLI, the artifacts and the store's run record."""

    run_id: str
    found: int
    analysed: int
    reanalysed: int = Field(
        default=0, description="stored documents of earlier runs analysed again: an older model did them"
    )
    skipped: int
    failed: int
    replaced: list[str] = Field(
        default_factory=list, description="ids of earlier versions of edited files, removed from the store"
    )
    inputs: dict[str, Any]
    errors: list[IngestError]
    takeaways: dict[str, list[str]] = Field(description="document id -> headlines of this run's documents")
    out_dir: str
    db_url: str


def version_key(settings: Settings) -> str:
    """Which model, taxonomy and spaCy pipeline analysed a document: a change means re-analysis."""
    from importlib.metadata import PackageNotFoundError, version

    from nlp.model_files import ModelError, active_model_dir, saved_version

    taxonomy = load_taxonomy(settings.taxonomy_path)
    try:
        folder = active_model_dir(settings.model_search_path, taxonomy=taxonomy)
        model = saved_version(folder, taxonomy=taxonomy)
    except ModelError:  # none yet: train one (scikit-learn is imported only then)
        from flows.models.train import train_and_save

        model = train_and_save(settings).version
    parser = "blank"
    for package in candidate_packages(settings.spacy_model):
        try:
            parser = f"{package}-{version(package)}"
            break
        except PackageNotFoundError:
            continue
    return f"{model}:{taxonomy.digest()}:{parser}"


def analysis_key(versions: str, metadata: Mapping[str, str]) -> str:
    """The key a document is analysed under: the model versions, and the facts a user gave for it, so
    that editing a sidecar or front matter re-analyses the document even though its text is the same."""
    facts = given(metadata)
    if not facts:
        return versions
    digest = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:12]
    return f"{versions}{GIVEN_SEPARATOR}{digest}"


def _batch_cache_key(context: TaskRunContext, parameters: dict[str, object]) -> str:
    documents, versions = parameters["documents"], parameters["versions"]
    assert isinstance(documents, list) and isinstance(versions, str)
    return _batch_key(documents, versions)


def _batch_key(documents: Sequence[Document], versions: str) -> str:
    """Same documents (by content hash) and same model versions: the same result."""
    ids = ",".join(sorted(d.id for d in documents))
    return hashlib.sha256(f"{versions}|{ids}".encode()).hexdigest()


@task(name="prepare-model", retries=1)
def prepare_model(settings: Settings) -> str:
    """Train the theme model if there is none, and return the version key of this configuration."""
    return version_key(settings)


@task(name="discover")
def discover_task(sources: list[str]) -> list[Input | IngestError]:
    """The files under the sources (paths only: cheap) and the URLs, in the order they will be read."""
    return list(discover_inputs(sources))


@task(name="ingest", retries=2, retry_delay_seconds=[2, 10])
def ingest_task(inputs: list[Input], settings: Settings) -> IngestOutcome:
    """Read one batch of inputs; network fetches are the flaky part, hence the retries."""
    state = FetchState(settings.fetch_state_path)
    before = state.snapshot()
    items = list(read_inputs(inputs, settings=settings, state=state))
    return IngestOutcome(items=items, fetched=state.changes_since(before))


@task(
    name="analyse-batch",
    cache_key_fn=_batch_cache_key,
    persist_result=True,
    result_serializer="json",
    cache_result_in_memory=False,
)
def analyse_batch(documents: list[Document], settings: Settings, versions: str) -> BatchOutcome:
    """spaCy and everything after it for one batch, in the run's analysing processes when it has them
    (a local run), else here (a Dask worker, the thread runner); a failing document is recorded, not
    raised.

    The result is cached on disk only: Prefect would also keep every persisted result in memory (up to
    1,000 of them), which made a run's memory grow with the number of batches."""
    engine = running_engine()
    if engine is not None:
        return engine.submit(documents, model_version(versions)).result()
    return analyse_documents(documents, analysis_json(settings), model_version(versions))


def model_version(versions: str) -> str:
    """The theme model's part of a version key."""
    return versions.partition(":")[0]


@task(name="save-batch", retries=3, retry_delay_seconds=[1, 3, 10])
def save_batch(outcome: BatchOutcome, settings: Settings, versions: str, run_id: str) -> list[str]:
    """Store first (one transaction, which also removes the earlier versions of edited files), then each
    document's files; the next run repairs a crash between. The ids of the earlier versions removed."""
    from flows.outputs.files import remove_document_files, write_document_files
    from flows.store import Store

    with Store(settings.store_url(), verify=False) as store:  # checked when the run took the lock
        _, replaced = store.save_versions(
            outcome.summaries, version_key=lambda s: analysis_key(versions, s.facts.given), run_id=run_id
        )
        store.record_errors(run_id, outcome.failures)
    remove_document_files(replaced, settings.out_dir)
    write_document_files(outcome.summaries, settings.out_dir, settings.templates_dir)
    return replaced


@task(name="apply-reviews", retries=2, retry_delay_seconds=[1, 5])
def apply_reviews(settings: Settings) -> int:
    """Analysts' decisions made since each document's rows last took them in, applied to those rows:
    themes overridden, sentences marked reviewed, takeaways chosen again where a theme changed; then the
    document's files rewritten. Nothing is analysed again. The document's summary file is removed
    before its rows change, so a run killed in between leaves it missing and the next publish writes it.
    How many documents changed."""
    from flows.store import Store

    out = settings.out_dir
    with Store(settings.store_url(), verify=False) as store:  # checked when the run took the lock
        pending = store.pending_reviews()
        if not pending:
            return 0
        from flows.models.train import takeaway_options
        from flows.outputs.files import write_document_files
        from nlp.model_files import active_model_dir, saved_key_sentences
        from nlp.verdicts import apply_verdicts

        taxonomy = load_taxonomy(settings.taxonomy_path)
        labels = {t.id: t.label for t in taxonomy.themes}
        folder = active_model_dir(settings.model_search_path, taxonomy=taxonomy)
        key_model = saved_key_sentences(folder, taxonomy=taxonomy)
        ids = sorted(pending)
        for start in range(0, len(ids), settings.batch_size):
            summaries = [
                apply_verdicts(
                    s, pending[s.id], labels=labels, key_model=key_model, options=takeaway_options(settings)
                ).summary
                for s in store.summaries(ids[start : start + settings.batch_size])
            ]
            for summary in summaries:
                (out / "summaries" / f"{summary.id}.json").unlink(missing_ok=True)
            store.save_reviewed(summaries, {s.id: pending[s.id][-1].id for s in summaries})
            write_document_files(summaries, out, settings.templates_dir)
    return len(pending)


def _publish_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    """Same stored documents, errors, taxonomy, templates and rendering code: the same outputs."""
    from flows.run.publish_cache import publish_digest
    from flows.store import Store

    settings = parameters["settings"]
    with Store(settings.store_url(), verify=False) as store:  # checked when the run took the lock
        documents = store.documents_digest()
    return _PUBLISH_PREFIX + publish_digest(settings, documents, parameters["errors"])


@task(
    name="publish",
    retries=2,
    retry_delay_seconds=[1, 5],
    cache_key_fn=_publish_cache_key,
    persist_result=True,
    result_serializer="json",
    cache_result_in_memory=False,
)
def publish(settings: Settings, errors: list[IngestError]) -> "CorpusSummary":
    """Rebuild the corpus view and the report from everything the store holds and write the output
    folder, reading the documents a few at a time (twice: views first, then the report's text), so
    memory does not grow with the corpus. A run that changed nothing it reads keeps the last run's
    outputs (a cache hit; see ``flows.run.publish_cache``)."""
    from flows.outputs.files import (
        remove_document_files,
        write_corpus,
        write_document_files,
        write_report,
        write_schemas,
    )
    from flows.outputs.report import ReportIndex
    from flows.run.publish_cache import missing_files
    from flows.store import Store
    from nlp.corpus import CorpusBuilder

    out, templates, chunk = settings.out_dir, settings.templates_dir, settings.batch_size
    labels = {t.id: t.label for t in load_taxonomy(settings.taxonomy_path).themes}
    with Store(settings.store_url(), verify=False) as store:  # checked when the run took the lock
        ids = store.document_ids()
        stored = set(ids)  # files of documents no longer stored (a run killed after replacing them)
        remove_document_files(
            [p.stem for p in (out / "summaries").glob("*.json") if p.stem not in stored], out
        )
        missing = missing_files(out, ids, store.documents_with_takeaways())
        for summary in store.iter_summaries(missing, chunk=chunk):
            write_document_files([summary], out, templates)
        builder, index = CorpusBuilder(), ReportIndex(dict(labels))
        for summary in store.iter_summaries(ids, chunk=chunk):
            builder.add(summary)
            index.add(summary)
        corpus = builder.build(labels=labels, errors=errors)
        write_corpus(corpus, out)
        write_report(corpus, index, store.iter_summaries(ids, chunk=chunk), out, templates)
    write_schemas(out)
    for stale in cache_dir(settings).glob(f"{_PUBLISH_PREFIX}*"):
        stale.unlink(missing_ok=True)  # earlier rebuilds' records; Prefect writes this one's on return
    return corpus


def task_runner(kind: str, *, dask_address: str | None = None, workers: int = 2) -> TaskRunner[Any]:
    """Where the tasks run. ``local``: threads of this process, which hand each batch to the run's
    analysing processes (``flows.run.engine``) and save it while the next ones are analysed;
    ``thread``: threads of this process that analyse themselves (one core; for debugging); ``dask``: a
    Dask cluster, whose workers analyse."""
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
    if kind == "thread":
        return ThreadPoolTaskRunner(max_workers=2)
    if kind == "local":
        return ThreadPoolTaskRunner(max_workers=IN_FLIGHT)
    raise ValueError(f"unknown task runner {kind!r}: use local, thread or dask")


@flow(name=FLOW_NAME, log_prints=False, validate_parameters=True, task_runner=task_runner("local"))
def takeaways_pipeline(params: PipelineParameters) -> RunReport:
    """Ingest, analyse what is new or changed, store, and publish outputs and artifacts."""
    from flows.store import Store

    logger = get_run_logger()
    settings = params.settings()
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    url = settings.store_url()
    with Store(url) as store, store.run_lock(timeout_s=params.lock_timeout_s):
        run_id = store.start_run(params.model_dump(mode="json"))
        if orphans := remove_orphaned_temp_files(settings.out_dir):
            logger.warning("removed %d half-written file(s) left by a killed run", len(orphans))
        try:
            report = _run(params, settings, store, run_id, url)
        except BaseException:
            store.finish_run(run_id, status="failed", counts={})
            raise
        counts = {k: getattr(report, k) for k in ("found", "analysed", "skipped", "failed")}
        counts["replaced"] = len(report.replaced)  # the runs table keeps what each run replaced
        store.finish_run(run_id, status="completed", counts=counts)
    logger.info("analysed %d, skipped %d, failed %d", report.analysed, report.skipped, report.failed)
    return report


def _run(params: PipelineParameters, settings: Settings, store: "Store", run_id: str, url: str) -> RunReport:
    versions = prepare_model(settings)
    found = discover_task(params.sources)
    inputs = [item for item in found if not isinstance(item, IngestError)]
    log = IngestLog()
    for error in found:
        if isinstance(error, IngestError):
            log.add(error.path, error)
    store.record_errors(run_id, log.errors)
    for hook in _progress:  # the total is known now: the bar shows 0/N, not 0/?, until a batch is saved
        hook(0, len(inputs))
    batches = _Batches(settings=settings, versions=versions, run_id=run_id, unread=len(inputs))
    for chunk in _chunks(inputs, settings.batch_size):
        outcome = ingest_task(chunk, settings)
        documents = [d for d in (log.add(src, item) for src, item in outcome.items) if d is not None]
        store.record_errors(run_id, [item for _, item in outcome.items if isinstance(item, IngestError)])
        todo_ids = store.needs_analysis({d.id: analysis_key(versions, d.metadata) for d in documents})
        stored = [d.source for d in documents if d.id not in todo_ids]
        outcome.fetched.of(stored).commit(settings.fetch_state_path)  # nothing left to store for them
        batches.fetched = batches.fetched.plus(outcome.fetched.without(stored))
        batches.add([d for d in documents if d.id in todo_ids], read=len(chunk))
    batches.finish()
    # Documents of earlier runs that an older model analysed (a retrained model was promoted):
    # analysed again from the store, so the outputs never mix two models' themes. One that failed
    # in this run is left for the next.
    failed = {e.path for e in batches.failures}
    outdated = store.outdated(versions)
    batches.unread += len(outdated)
    for start in range(0, len(outdated), settings.batch_size):
        again = list(store.stored_documents(outdated[start : start + settings.batch_size]))
        batches.add([d for d in again if d.source not in failed], read=len(again))
    batches.finish()
    # What fetching learnt beyond the documents (a feed's own validators): committed only when every URL
    # of the run was read and stored, or a feed answering 304 next time would hide an item that failed.
    if not any(is_url(e.path) for e in [*log.errors, *batches.failures]):
        batches.fetched.commit(settings.fetch_state_path)
    # Analyses cached by batches of killed runs that this run did not need: nothing would ever use or
    # delete them (every batch this run saved already removed its own).
    for leftover in cache_dir(settings).glob("*"):
        if leftover.is_file() and not leftover.name.startswith(_PUBLISH_PREFIX):
            leftover.unlink(missing_ok=True)
    if reviewed := apply_reviews(settings):
        get_run_logger().info("applied analysts' decisions to %d document(s)", reviewed)
    complete = outputs_complete(settings.out_dir, store.document_ids(), store.documents_with_takeaways())
    corpus = publish.with_options(refresh_cache=not complete)(settings, [*log.errors, *batches.failures])
    report = RunReport(
        run_id=run_id,
        found=len(log.rows),
        analysed=batches.analysed,
        reanalysed=len(outdated),
        replaced=batches.replaced,
        skipped=len(log.rows) - (batches.submitted - len(outdated)),
        failed=len(batches.failures),
        inputs=log.as_json(),
        errors=[*log.errors, *batches.failures],
        takeaways=batches.headlines,
        out_dir=str(settings.out_dir),
        db_url=url,
    )
    _artifacts(report, corpus)
    return report


@dataclass
class _Flight:
    """A batch on its way: parsed, then analysed, then saved."""

    documents: list[Document]
    outcome: PrefectFuture[BatchOutcome]


class _Batches:
    """Documents to analyse, cut into batches, submitted at most ``IN_FLIGHT`` ahead and saved in order."""

    def __init__(self, *, settings: Settings, versions: str, run_id: str, unread: int) -> None:
        self.settings, self.versions, self.run_id = settings, versions, run_id
        self.unread = unread
        self.buffer: list[Document] = []
        self.flights: deque[_Flight] = deque()
        self.submitted = self.analysed = 0
        self.replaced: list[str] = []
        self.fetched = FetchChanges()
        """fetch state of documents not stored yet: each URL's part is committed once it is"""
        self.failures: list[IngestError] = []
        self.headlines: dict[str, list[str]] = {}
        self.local = _runs_locally()
        self.engine: Engine | None = None
        self.parallel = (engine_options.get("workers") or cores()) if engine_options else 1
        """analysing processes the run may have (a Dask cluster's workers count as one: they take
        batches as they come)"""

    def add(self, documents: list[Document], *, read: int) -> None:
        """Queue documents to analyse from ``read`` more inputs; submit every batch that is complete."""
        self.unread -= read
        self.buffer.extend(documents)
        while self.buffer and len(self.buffer) >= (size := self._next_size()):
            self._submit(self.buffer[:size])
            del self.buffer[:size]

    def _next_size(self) -> int:
        """``batch_size`` documents, except near the end, where batches taper to a share of what is left:
        half of it per analysing process.

        A process that draws the last big batch keeps the run waiting while the others idle: with one
        batch of 20 of 40 speeches, one process worked 8 s after the other had finished. Small batches
        at the end let the processes finish together, and save the early batches while the last run."""
        full = self.settings.batch_size
        left = len(self.buffer) + self.unread
        share = -(-left // (2 * self.parallel))
        if share >= full:
            return full
        return max(share, min(SMALLEST_BATCH, full))

    def finish(self) -> None:
        """Submit the last, partial batch and wait for every batch to be saved."""
        if self.buffer:
            self._submit(self.buffer)
            self.buffer = []
        while self.flights:
            self._save_oldest()

    def _submit(self, batch: list[Document]) -> None:
        while len(self.flights) >= IN_FLIGHT:
            self._save_oldest()
        if self.engine is None and engine_options:  # a local run: analysed in processes of its own
            self.engine = start_engine(self.settings, **engine_options)
            import_outputs_meanwhile()
        if self.engine is not None and (
            self.unread or sum(len(d.text) for d in [*batch, *self.buffer]) >= GROW_CHARS
        ):
            self.engine.grow()  # enough text left to pay for starting the other analysing processes
        outcome = analyse_batch.submit(_opaque(batch, local=self.local), self.settings, self.versions)
        self.flights.append(_Flight(batch, outcome))
        self.submitted += len(batch)

    def _save_oldest(self) -> None:
        flight = self.flights.popleft()
        outcome = _outcome(flight)
        self.replaced += save_batch(_opaque(outcome), self.settings, self.versions, self.run_id)
        self.analysed += len(outcome.summaries)
        saved = [s.source for s in outcome.summaries]
        self.fetched.of(saved).commit(self.settings.fetch_state_path)
        self.fetched = self.fetched.without(saved)
        # Saved, the batch's cached analysis has served; kept, it would grow with the store and replay
        # the batch's failures to a later run instead of retrying them.
        (cache_dir(self.settings) / _batch_key(flight.documents, self.versions)).unlink(missing_ok=True)
        self.failures.extend(outcome.failures)
        self.headlines.update({s.id: [t.text for t in s.takeaways] for s in outcome.summaries})
        done = self.analysed + len(self.failures)
        for hook in _progress:
            hook(done, self.submitted + len(self.buffer) + self.unread)


def _outcome(flight: _Flight) -> BatchOutcome:
    """The batch's analysis; if the batch failed as a whole (spaCy raised, a worker process died), each
    of its documents is recorded as failed, not stored, so the next run tries it again."""
    try:
        return flight.outcome.result()
    except Exception as exc:
        logger.exception("a batch of %d documents failed", len(flight.documents))
        reason = f"its batch failed: {type(exc).__name__}: {exc}"
        return BatchOutcome(
            failures=[
                IngestError(path=d.source, code=ErrorCode.ANALYSIS, reason=reason) for d in flight.documents
            ]
        )


def _opaque(value: T, *, local: bool = True) -> T:
    """The value as a task parameter Prefect hands over untouched, without walking it for futures.

    Only for tasks run in this process: prefect-dask ships the ``quote`` wrapper to its workers as a
    plain tuple, so a batch submitted to Dask goes as it is."""
    return cast(T, quote(value)) if local else value


def _runs_locally() -> bool:
    context = FlowRunContext.get()
    runner = context.task_runner if context is not None else None
    return isinstance(runner, ThreadPoolTaskRunner)


def _chunks(items: Sequence[Input], size: int) -> Iterator[list[Input]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _artifacts(report: RunReport, corpus: "CorpusSummary") -> None:
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


def cache_dir(settings: Settings) -> Path:
    """Cached batch results live beside the outputs, so a crash after analysis costs no re-analysis."""
    return (settings.out_dir / ".cache").resolve()


engine_options: dict[str, Any] = {}
"""How a local run's engine is started once it has something to analyse (set by ``run_pipeline``)."""


_OUTPUT_MODULES = ("flows.store", "flows.outputs.files", "flows.outputs.drafts", "flows.outputs.report")


def import_outputs_meanwhile() -> None:
    """Import what saving and publishing need (1-2 s) in a thread, while the analysing processes work."""
    if not _importing:
        _importing.append(threading.Thread(target=_import_outputs, name="import-outputs", daemon=True))
        _importing[0].start()


_importing: list[threading.Thread] = []


def _import_outputs() -> None:
    for module in _OUTPUT_MODULES:
        importlib.import_module(module)


def run_pipeline(
    params: PipelineParameters,
    *,
    runner: str | TaskRunner[Any] = "local",
    dask_address: str | None = None,
    progress: ProgressHook | None = None,
    worker_initializer: Callable[[], None] | None = None,
) -> RunReport:
    """Run the flow once with the chosen task runner (what `takeaways run` calls). A local run analyses
    in processes of its own (``flows.run.engine``; ``worker_initializer`` runs first in each), the
    first of which `takeaways run` started before importing this module."""
    chosen = task_runner(runner, dask_address=dask_address) if isinstance(runner, str) else runner
    if runner == "local":
        engine_options.update(workers=params.n_process, initializer=worker_initializer)
        if running_engine() is not None:  # started with the command: there is work for certain
            import_outputs_meanwhile()
    else:
        stop_engine()
    configured = takeaways_pipeline.with_options(task_runner=chosen)
    cache = str(cache_dir(params.settings()))
    os.environ["PREFECT_RESULTS_LOCAL_STORAGE_PATH"] = cache  # for worker processes started by this run
    api, own_server = run_api()  # worker processes report to the same API
    updates: dict[Any, Any] = {PREFECT_RESULTS_LOCAL_STORAGE_PATH: cache, PREFECT_API_URL: api}
    if own_server:  # heartbeats tell a lasting server which runs crashed; this one ends with the run
        updates[PREFECT_FLOWS_HEARTBEAT_FREQUENCY] = None
    if progress is not None:
        _progress.append(progress)
    try:
        with temporary_settings(updates=updates):
            return configured(params)
    finally:
        engine_options.clear()
        stop_engine()
        if progress is not None:
            _progress.remove(progress)
