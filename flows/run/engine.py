"""The processes that analyse a local run's documents: spaCy and everything after it, models loaded once.

Each analysing process is a one-worker ``ProcessPoolExecutor`` (spawned, as Prefect's own process runner
does), so the run decides how many to start. The first is launched as soon as `takeaways run` starts,
before Prefect and the flow are imported: loading spaCy, scikit-learn and the theme model (3-4 s) then
overlaps Prefect's start-up instead of following it. More join (one per core by default) only when the
run has enough text to pay for a process's start. A batch is parsed and analysed in the same process,
so nothing parsed crosses a process boundary.

This module imports neither Prefect nor the flow: an analysing process needs neither.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from functools import partial
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from flows.run.prefect_server import die_with_parent, skip_final_collection
from flows.settings import Settings
from nlp.document import Document
from nlp.errors import ErrorCode, IngestError
from nlp.summary import DocumentSummary

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from nlp.analyse import Analyzer

PIPE_BATCH_SIZE = 2
"""Documents spaCy parses at once. Its peak memory grows with the batch: over 64 UN speeches a worker
peaked at 832 MB with 16, at 312 MB with 2, for the same CPU time (21.7 s with 2, 22.6 s with 16)."""
_ANALYSIS_SETTINGS = {"taxonomy_path", "models_dir", "shipped_model_dir", "spacy_model", "max_takeaways"}
"""What analysis reads of the settings: a run whose output folder or batch size differs can use an
engine started before its settings were complete."""
GROW_CHARS = 150_000
"""Text to analyse beyond which a run starts its other analysing processes: about 5 s of spaCy on one
core, more than a process takes to start and load the models (3-4 s)."""


class BatchOutcome(BaseModel):
    """A batch analysed: a summary per document, or its failure."""

    summaries: list[DocumentSummary] = Field(default_factory=list)
    failures: list[IngestError] = Field(default_factory=list)


def cores() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class Engine:
    """The run's analysing processes. One starts now; ``grow`` starts the others, up to ``workers``."""

    def __init__(
        self, settings: Settings, *, workers: int | None = None, initializer: Callable[[], None] | None = None
    ) -> None:
        self.settings_json = analysis_json(settings)
        self.workers = max(1, workers or cores())
        self._initializer = initializer
        self._pools: list[ProcessPoolExecutor] = []
        self._busy: list[bool] = []
        self._free = threading.Condition()
        self.grow(1)

    def matches(self, settings: Settings) -> bool:
        return analysis_json(settings) == self.settings_json

    def grow(self, n: int | None = None) -> None:
        """Start analysing processes until there are ``n`` (default: ``workers``), each loading the models
        at once."""
        with self._free:
            while len(self._pools) < min(n or self.workers, self.workers):
                self._pools.append(self._new_pool(len(self._pools)))
                self._busy.append(True)

    def _new_pool(self, k: int) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(self._initializer,),
        )
        # Spawns the process now, not at the first batch; it takes batches once the models load.
        pool.submit(_warm, self.settings_json).add_done_callback(partial(self._done, k))
        return pool

    def submit(self, documents: list[Document], model_version: str) -> Future[BatchOutcome]:
        """Analyse a batch in the first process to be free: a process that started late or drew long
        documents gets fewer batches, so both finish together. A process that died (killed, out of
        memory) failed its batch; it is replaced, and the next batches go on."""
        with self._free:
            self._free.wait_for(lambda: not all(self._busy))
            k = self._busy.index(False)
            settings = self.settings_json
            try:
                future = self._pools[k].submit(analyse_documents, documents, settings, model_version)
            except BrokenProcessPool:
                self._pools[k] = self._new_pool(k)
                future = self._pools[k].submit(analyse_documents, documents, settings, model_version)
            self._busy[k] = True
        future.add_done_callback(partial(self._done, k))
        return future

    def _done(self, k: int, _: Future[Any]) -> None:
        with self._free:
            self._busy[k] = False
            self._free.notify_all()

    def close(self) -> None:
        """Stop the processes now: one still loading the models (a run with nothing new to analyse)
        would otherwise keep the command waiting for it."""
        for pool in self._pools:
            processes = list(getattr(pool, "_processes", {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            for process in processes:
                process.join()
        self._pools.clear()


_running: list[Engine] = []


def start_engine(
    settings: Settings, *, workers: int | None = None, initializer: Callable[[], None] | None = None
) -> Engine:
    """This process's engine for a run with these settings: the one started earlier if it fits."""
    if _running and not _running[0].matches(settings):
        stop_engine()
    if not _running:
        _running.append(Engine(settings, workers=workers, initializer=initializer))
    elif workers:
        _running[0].workers = workers
    return _running[0]


def running_engine() -> Engine | None:
    """The engine of the run in this process; None in a Dask worker or under the thread runner, which
    analyse in the task's own process."""
    return _running[0] if _running else None


def stop_engine() -> None:
    while _running:
        _running.pop().close()


def analysis_json(settings: Settings) -> str:
    return settings.model_dump_json(include=_ANALYSIS_SETTINGS)


def _start(initializer: Callable[[], None] | None) -> None:
    """An analysing process dies with the run and exits without Python's final sweep."""
    die_with_parent()
    skip_final_collection()
    if initializer is not None:
        initializer()


def _warm(settings_json: str) -> None:
    """Load spaCy, and the theme model if there is one yet: the run trains it otherwise, and the first
    batch loads it then."""
    from nlp.linguistic import analysis_pipeline
    from nlp.model_files import ModelError

    analysis_pipeline(Settings.model_validate_json(settings_json).spacy_model)
    with suppress(ModelError):
        analyzer(settings_json, model_version=None)


_analyzers: dict[str, Analyzer] = {}


def analyzer(settings_json: str, *, model_version: str | None) -> Analyzer:
    """This process's analyser for these settings, loaded again if the theme model in use is not
    ``model_version`` (another was promoted since it was loaded); never trains one."""
    from flows.models.train import load_analyzer
    from nlp.linguistic import analysis_pipeline

    current = _analyzers.get(settings_json)
    if current is None or (model_version is not None and current.model.version != model_version):
        settings = Settings.model_validate_json(settings_json)
        nlp = analysis_pipeline(settings.spacy_model)
        current = _analyzers[settings_json] = load_analyzer(settings, nlp=nlp)
    return current


def analyse_documents(
    documents: list[Document], settings_json: str, model_version: str | None
) -> BatchOutcome:
    """spaCy, then everything after it, for one batch, a document at a time; a document that fails is
    recorded, not raised."""
    from nlp.analyse import AnalysisFailure, summarise_parsed

    engine = analyzer(settings_json, model_version=model_version)
    outcome = BatchOutcome()
    for result in summarise_parsed(_parsed(documents, engine.nlp, outcome.failures), engine):
        if isinstance(result, AnalysisFailure):
            outcome.failures.append(_failure(result.source, result.reason))
        else:
            outcome.summaries.append(result)
    return outcome


def _parsed(
    documents: list[Document], nlp: Language, failures: list[IngestError]
) -> Iterator[tuple[Document, Doc]]:
    """The documents parsed as they are analysed, so a batch's docs are never all held at once. If spaCy
    raises, the documents not parsed yet are parsed one at a time: one document spaCy cannot take fails
    alone, with its own reason, and the others go on."""
    from nlp.linguistic import parse

    done = 0
    try:
        for pair in parse(documents, nlp=nlp, batch_size=PIPE_BATCH_SIZE):
            done += 1
            yield pair
    except Exception:  # noqa: BLE001  # which document, and why, is found out below
        for document in documents[done:]:
            try:
                yield from parse([document], nlp=nlp)
            except Exception as exc:  # noqa: BLE001  # recorded as this document's failure
                failures.append(
                    _failure(document.source, f"spaCy could not parse it: {type(exc).__name__}: {exc}")
                )


def _failure(source: str, reason: str) -> IngestError:
    return IngestError(path=source, code=ErrorCode.ANALYSIS, reason=reason)
