"""Run the pipeline over benchmark documents, caching summaries under /tmp so reruns skip the spaCy pass.

The cache key hashes everything that changes a summary: the source of the ``nlp`` modules that
analysis has loaded (not those that only read summaries), the taxonomy, the labelled training data and
the theme model's version. Change any of them and the summaries are recomputed. Nothing is written
inside the project.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.quality.data import PROJECT_ROOT
from flows.models.train import build_analyzer
from flows.settings import Settings
from nlp.analyse import AnalysisFailure, Analyzer, analyse
from nlp.document import Document
from nlp.ingest import read_document
from nlp.summary import DocumentSummary

DEFAULT_CACHE = Path(
    os.environ.get("TAKEAWAYS_BENCH_CACHE", Path(tempfile.gettempdir()) / "takeaways-quality")
)
_READS_SUMMARIES_ONLY = {"extractive.py", "search.py", "drafts.py"}
logger = logging.getLogger(__name__)


def _digest(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(str(path.relative_to(PROJECT_ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class Timed:
    summaries: list[DocumentSummary]
    seconds: float
    words: int


class Engine:
    """The analyzer, built once (training a theme model into the cache on first use), and a summary cache."""

    def __init__(self, cache: Path = DEFAULT_CACHE, *, n_process: int = 1) -> None:
        settings = Settings()
        model_inputs = [
            settings.taxonomy_path, settings.train_labels, settings.real_labels / "themes.jsonl",
            settings.real_labels / "takeaways.jsonl", PROJECT_ROOT / "nlp" / "training.py",
            PROJECT_ROOT / "nlp" / "themes.py", PROJECT_ROOT / "nlp" / "key_sentences.py",
            PROJECT_ROOT / "flows" / "theme_model.py",
        ]  # fmt: skip
        self.settings = settings.model_copy(
            update={"models_dir": cache / f"models-{_digest([p for p in model_inputs if p.exists()])}"}
        )
        self.n_process = n_process
        self._analyzer: Analyzer | None = None
        self._cache = cache
        self.trained = False

    @property
    def analyzer(self) -> Analyzer:
        if self._analyzer is None:
            self._analyzer, self.trained = build_analyzer(self.settings)
        return self._analyzer

    def _folder(self) -> Path:
        engine = sorted(
            path
            for name, module in list(sys.modules.items())
            if (name == "nlp" or name.startswith("nlp."))
            and (path := Path(str(getattr(module, "__file__", "") or ""))).suffix == ".py"
            and path.name not in _READS_SUMMARIES_ONLY
        )
        info = self.analyzer.info
        key = _digest([*engine, self.settings.taxonomy_path]) + f"-{info.theme_model}-{info.spacy_pipeline}"
        folder = self._cache / "summaries" / hashlib.sha256(key.encode()).hexdigest()[:16]
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def summaries(self, paths: Sequence[Path]) -> list[DocumentSummary]:
        """One summary per path, in order, from the cache when the engine has not changed."""
        folder = self._folder()
        out: dict[Path, DocumentSummary] = {}
        missing: list[Document] = []
        for path in paths:
            cached = folder / (hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:24] + ".json")
            if cached.exists():
                out[path] = DocumentSummary.model_validate_json(cached.read_bytes())
            else:
                missing.append(read_document(path.read_bytes(), source=str(path)))
        if missing:
            fresh = self.analyse(missing)
            for path in paths:
                if path in out:
                    continue
                summary = fresh.pop(0)
                out[path] = summary
                cached = folder / (hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:24] + ".json")
                tmp = cached.with_suffix(".tmp")
                tmp.write_text(summary.model_dump_json(), encoding="utf-8")
                tmp.replace(cached)
        return [out[p] for p in paths]

    def analyse(self, documents: Sequence[Document]) -> list[DocumentSummary]:
        """Analyse now (no cache): a failure is an error here, since benchmark inputs are known good."""
        summaries = []
        for outcome in analyse(documents, analyzer=self.analyzer, n_process=self.n_process, batch_size=4):
            if isinstance(outcome, AnalysisFailure):
                raise RuntimeError(f"analysis failed for {outcome.source}: {outcome.reason}")
            summaries.append(outcome)
        return summaries

    def timed(self, paths: Sequence[Path]) -> Timed:
        """Read and analyse without the cache, timing the whole pass (what a user waits for)."""
        self.analyzer  # noqa: B018  (load first: the run time excludes model loading)
        start = time.perf_counter()
        documents = [read_document(p.read_bytes(), source=str(p)) for p in paths]
        summaries = self.analyse(documents)
        return Timed(summaries, time.perf_counter() - start, sum(len(d.text.split()) for d in documents))
