"""Speed benchmark: ``python -m benchmarks.throughput [--sizes 100 1000]``.

Measures, in one session and on the same UN General Debate speeches (read in place from
``../shared/data/ungdc/TXT/*/*.txt``, sorted, first N; only symlinks go into a temporary folder):

- bare spaCy: words/s of ``nlp.pipe`` with the analysis pipeline (``analysis_pipeline("en_core_web_sm")``)
  over the speeches' normalized text (``read_document(...).text``, exactly what ``takeaways run``
  analyses), ``n_process=1``, run twice per size; the full default ``en_core_web_sm`` (with the parser)
  once, for reference;
- the whole ``takeaways run`` (a subprocess, fresh output folder, ``PREFECT_HOME`` and theme models in a
  temporary folder, the model trained before any timing): wall time, words/s, ratio to bare spaCy, with
  and without the constant start-up (measured as a run over one tiny document);
- peak memory of the run's process tree, scaling (N, ``--n-process 2``, ``--task-runner dask``) and the
  cost of an incremental second run with nothing new.

Prints a Markdown report and writes it into ``benchmarks/RESULTS.md`` under "## Speed" (other sections
are kept as they are). "Words" are whitespace-separated tokens of the normalized text.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

from spacy.language import Language

from benchmarks.results_file import RESULTS, replace_section

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "data" / "ungdc" / "TXT"
SECTION = "## Speed"
COMMAND = "python -m benchmarks.throughput"
SPACY_MODEL = "en_core_web_sm"
PIPE_BATCH_SIZE = 16  # what flows.run.parsing.parse_batch passes to nlp.pipe
_PACKAGES = ("spacy", "prefect", "prefect-dask", "dask", "distributed", "scikit-learn", "pydantic", "psutil")
_DONE = re.compile(r"(\d+) analysed, (\d+) unchanged, (\d+) failed")
_SAMPLE_INTERVAL_S = 0.25
_MB = 1024 * 1024
_TINY_TEXT = (
    "Mr. President, the world faces a climate emergency that no country can solve alone.\n\n"
    "We call on all Member States to honour their commitments on climate finance and to support the "
    "most vulnerable nations as they adapt. Peace and development go hand in hand.\n"
)
_PREFECT_ONLY = """
from flows.run.prefect_env import configure_prefect
configure_prefect()
from prefect import flow

@flow(name="empty")
def empty() -> int:
    return 1

empty()
"""


@dataclass(frozen=True)
class Measure:
    """One timed measurement; CPU and memory are those of the whole process tree where known."""

    wall_s: float
    cpu_s: float
    load_before: float
    load_after: float
    max_process_rss_mb: float | None = None
    """Largest single process of the tree, sampled with psutil (``ru_maxrss`` without psutil)."""
    tree_rss_mb: float | None = None
    """Peak of the summed RSS of the process tree, sampled every 0.25 s with psutil (if installed)."""
    analysed: int | None = None
    skipped: int | None = None


@dataclass(frozen=True)
class Row:
    name: str
    n: int | None
    words: int | None
    measure: Measure
    bare_wps: float | None = None
    """Mean words/s (wall) of the bare spaCy passes over the same texts."""
    bare_cpu_wps: float | None = None
    """Mean words per CPU-second of the same bare passes."""
    startup_s: float | None = None

    @property
    def wps(self) -> float | None:
        return self.words / self.measure.wall_s if self.words else None

    @property
    def ratio(self) -> float | None:
        return self.wps / self.bare_wps if self.wps and self.bare_wps else None

    @property
    def ratio_excl_startup(self) -> float | None:
        if not self.words or not self.bare_wps or self.startup_s is None:
            return None
        if self.measure.wall_s <= self.startup_s:
            return None
        return self.words / (self.measure.wall_s - self.startup_s) / self.bare_wps

    @property
    def cpu_wps(self) -> float | None:
        return self.words / self.measure.cpu_s if self.words and self.measure.cpu_s else None

    @property
    def cpu_ratio(self) -> float | None:
        return self.cpu_wps / self.bare_cpu_wps if self.cpu_wps and self.bare_cpu_wps else None


@dataclass
class Corpus:
    """The first N speeches: their paths, normalized texts and word counts (duplicates dropped)."""

    n: int
    paths: list[Path]
    texts: list[str]
    words: int
    rejected: int
    duplicates: int
    folder: Path = field(default_factory=Path)


class TreeSampler(threading.Thread):
    """Peak summed RSS of a process and its descendants, sampled until stopped (psutil, if installed)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_bytes = 0
        self.peak_single_bytes = 0
        self.available = True
        self._done = threading.Event()

    def run(self) -> None:
        try:
            import psutil  # type: ignore[import-untyped]  # a dependency of distributed (prefect-dask)
        except ImportError:
            self.available = False
            return
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._done.is_set():
            try:
                processes = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            total = 0
            for process in processes:
                try:
                    rss = int(process.memory_info().rss)
                except psutil.Error:
                    continue
                total += rss
                self.peak_single_bytes = max(self.peak_single_bytes, rss)
            self.peak_bytes = max(self.peak_bytes, total)
            self._done.wait(_SAMPLE_INTERVAL_S)

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)


def log(message: str) -> None:
    sys.stderr.write(f"[{dt.datetime.now():%H:%M:%S}] {message}\n")
    sys.stderr.flush()


def load1() -> float:
    return os.getloadavg()[0]


def speech_paths(data: Path, n: int) -> list[Path]:
    return sorted(data.glob("*/*.txt"))[:n]


def load_corpus(paths: Sequence[Path], n: int, folder: Path) -> Corpus:
    """Normalize the first ``n`` speeches as ``takeaways run`` does and link them into ``folder``."""
    from nlp.errors import IngestFailure
    from nlp.ingest import read_document

    texts: list[str] = []
    seen: set[str] = set()
    rejected = duplicates = 0
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths[:n]:
        (folder / path.name).symlink_to(path.resolve())
        try:
            document = read_document(path.read_bytes(), source=str(path), name=path.name)
        except IngestFailure:
            rejected += 1
            continue
        if document.id in seen:
            duplicates += 1
            continue
        seen.add(document.id)
        texts.append(document.text)
    words = sum(len(t.split()) for t in texts)
    return Corpus(n, list(paths[:n]), texts, words, rejected, duplicates, folder)


def bare_pass(nlp: Language, texts: Sequence[str]) -> Measure:
    before = load1()
    cpu0, t0 = time.process_time(), time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=PIPE_BATCH_SIZE, n_process=1):
        pass
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return Measure(wall_s=wall, cpu_s=cpu, load_before=before, load_after=load1())


def engine_pass(runner: Runner, texts: Sequence[str]) -> Measure:
    """Read and analyse in this process with the run's theme model: what the run costs beyond spaCy
    before any orchestration, storage or output is added."""
    from flows.models.train import build_analyzer
    from flows.settings import Settings
    from nlp.analyse import analyse
    from nlp.ingest import read_document

    settings = Settings(models_dir=Path(runner.env["TAKEAWAYS_MODELS_DIR"]))
    analyzer, _ = build_analyzer(settings)
    documents = [read_document(t.encode(), source=f"speech-{k}.txt") for k, t in enumerate(texts)]
    before = load1()
    cpu0, t0 = time.process_time(), time.perf_counter()
    for _ in analyse(documents, analyzer=analyzer, n_process=1, batch_size=PIPE_BATCH_SIZE):
        pass
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return Measure(wall_s=wall, cpu_s=cpu, load_before=before, load_after=load1())


def run_process(argv: Sequence[str], *, env: dict[str, str], log_path: Path) -> Measure:
    """Run a command to completion; wall time, CPU and peak RSS of its whole process tree."""
    before = load1()
    with log_path.open("w", encoding="utf-8") as out:
        t0 = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)
        sampler = TreeSampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - t0
    process.returncode = os.waitstatus_to_exitcode(status)
    sampler.stop()
    output = log_path.read_text(encoding="utf-8", errors="replace")
    if process.returncode != 0:
        tail = "\n".join(output.splitlines()[-30:])
        raise RuntimeError(f"{' '.join(argv)} exited with {process.returncode}:\n{tail}")
    done = _DONE.search(output)
    sampled = sampler.available and sampler.peak_bytes > 0
    # ru_maxrss only without psutil: Linux keeps the parent's peak RSS across fork + exec, so a small
    # child of this (large) process would report this process's size.
    return Measure(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        load_before=before,
        load_after=load1(),
        max_process_rss_mb=sampler.peak_single_bytes / _MB if sampled else usage.ru_maxrss / 1024,
        tree_rss_mb=sampler.peak_bytes / _MB if sampled else None,
        analysed=int(done.group(1)) if done else None,
        skipped=int(done.group(2)) if done else None,
    )


class Runner:
    """``takeaways`` subprocesses sharing one temporary PREFECT_HOME and theme-model folder."""

    def __init__(self, work: Path) -> None:
        self.work = work
        executable = Path(sys.executable).with_name("takeaways")
        found = executable if executable.exists() else shutil.which("takeaways")
        if found is None:
            raise SystemExit("the `takeaways` command is not installed: run `make install` first")
        self.takeaways = str(found)
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("TAKEAWAYS_") and k not in ("PREFECT_API_URL", "PREFECT_API_KEY")
        }
        self.env["TAKEAWAYS_MODELS_DIR"] = str(work / "models")
        self.env["PREFECT_HOME"] = str(work / "prefect-home")
        self._count = 0

    def _log(self, label: str) -> Path:
        self._count += 1
        return self.work / "logs" / f"{self._count:02d}-{label}.log"

    def train(self) -> Measure:
        (self.work / "logs").mkdir(parents=True, exist_ok=True)
        return run_process([self.takeaways, "train"], env=self.env, log_path=self._log("train"))

    def run(self, sources: Sequence[Path], out: Path, *extra: str, label: str) -> Measure:
        argv = [self.takeaways, "run", *map(str, sources), "--out", str(out), *extra]
        return run_process(argv, env=self.env, log_path=self._log(label))

    def prefect_only(self) -> Measure:
        return run_process([sys.executable, "-c", _PREFECT_ONLY], env=self.env, log_path=self._log("prefect"))


def check_analysed(measure: Measure, expected: int, *, label: str) -> None:
    if measure.analysed != expected:
        log(f"WARNING {label}: analysed {measure.analysed}, expected {expected} (see the run's log)")


def versions() -> str:
    from nlp.pipeline import candidate_packages

    parts = [f"Python {platform.python_version()}"]
    for package in (*_PACKAGES, *candidate_packages(SPACY_MODEL), "takeaways"):
        try:
            parts.append(f"{package} {package_version(package)}")
        except PackageNotFoundError:
            continue
    return ", ".join(parts)


def machine() -> str:
    cpu = "unknown CPU"
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc), {cpu}{memory}, {platform.system()} {platform.release()}"


def _fmt(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _load(measure: Measure) -> str:
    busy = max(measure.load_before, measure.load_after) > (os.cpu_count() or 1) + 1  # +1: this benchmark
    return f"{measure.load_before:.1f}→{measure.load_after:.1f}{' ⚠' if busy else ''}"


def throughput_table(rows: Sequence[Row]) -> str:
    header = (
        "measurement",
        "N",
        "wall s",
        "CPU s",
        "words/s",
        "× bare",
        "× bare excl. start-up",
        "words/CPU-s",
        "× bare (CPU)",
        "peak RSS tree MB",
        "max process RSS MB",
        "load 1 min before→after",
    )
    body = [
        (
            r.name,
            _fmt(r.n),
            _fmt(r.measure.wall_s),
            _fmt(r.measure.cpu_s),
            _fmt(r.wps, 0),
            _fmt(r.ratio, 2),
            _fmt(r.ratio_excl_startup, 2),
            _fmt(r.cpu_wps, 0),
            _fmt(r.cpu_ratio, 2),
            _fmt(r.measure.tree_rss_mb, 0),
            _fmt(r.measure.max_process_rss_mb, 0),
            _load(r.measure),
        )
        for r in rows
    ]
    return table(header, body)


@dataclass
class Results:
    started: dt.datetime
    sizes: list[int]
    scale_size: int | None
    corpora: dict[int, Corpus] = field(default_factory=dict)
    bare: dict[int, list[Measure]] = field(default_factory=dict)
    runs: dict[tuple[str, int], Measure] = field(default_factory=dict)
    """(kind, N) -> measure; kinds: run (defaults), rerun (incremental), n2, dask."""
    parser: tuple[int, str, Measure] | None = None
    analysis: tuple[int, Measure] | None = None
    """N, and the engine alone (``nlp.analyse.analyse``) in this process: no Prefect, store or outputs."""
    startups: list[tuple[str, Measure]] = field(default_factory=list)
    """Runs over one tiny document: when, measure (the first one with a fresh PREFECT_HOME)."""
    prefect: Measure | None = None
    train: Measure | None = None
    load_s: float = 0.0
    total_s: float = 0.0
    load_range: str = "?"
    notes: list[str] = field(default_factory=list)

    @property
    def startup(self) -> Measure | None:
        """The constant start-up: the fastest warm tiny run (the least disturbed by other processes)."""
        warm = [m for _, m in self.startups[1:]] or [m for _, m in self.startups]
        return min(warm, key=lambda m: m.wall_s) if warm else None

    def bare_wps(self, n: int) -> float | None:
        passes = self.bare.get(n)
        if not passes:
            return None
        return sum(self.corpora[n].words / m.wall_s for m in passes) / len(passes)

    def bare_cpu_wps(self, n: int) -> float | None:
        passes = self.bare.get(n)
        if not passes:
            return None
        return sum(self.corpora[n].words / m.cpu_s for m in passes) / len(passes)

    def _row(self, name: str, n: int, measure: Measure, *, run: bool = True) -> Row:
        startup = self.startup.wall_s if self.startup and run else None
        return Row(name, n, self.corpora[n].words, measure, self.bare_wps(n), self.bare_cpu_wps(n), startup)

    def rows(self) -> list[Row]:
        rows: list[Row] = []
        chosen = self.startup
        for i, (when, measure) in enumerate(self.startups):
            name = "start-up: `takeaways run`, 1 tiny doc, " + when
            if i == 0:
                name += " (fresh PREFECT_HOME)"
            rows.append(Row(f"**{name}**" if measure is chosen else name, 1, None, measure))
        if self.prefect is not None:
            rows.append(Row("Prefect alone: an empty flow on the ephemeral server", None, None, self.prefect))
        for n in self.sizes:
            for i, measure in enumerate(self.bare.get(n, [])):
                when = " (after the runs)" if i else ""
                rows.append(
                    self._row(f"bare spaCy, analysis pipeline, pass {i + 1}{when}", n, measure, run=False)
                )
            if ("run", n) in self.runs:
                rows.append(self._row("**`takeaways run`** (defaults)", n, self.runs[("run", n)]))
            if ("rerun", n) in self.runs:
                rows.append(Row("second run, nothing new (incremental)", n, None, self.runs[("rerun", n)]))
        if self.parser is not None:
            n, pipes, measure = self.parser
            rows.append(self._row(f"reference: full `{SPACY_MODEL}` ({pipes})", n, measure, run=False))
        if self.analysis is not None:
            n, measure = self.analysis
            name = "reference: the engine alone (`nlp.analyse`, models loaded; no Prefect, store or files)"
            rows.append(self._row(name, n, measure, run=False))
        s = self.scale_size
        if s is not None:
            for key, name in (
                ("run", "`takeaways run` (defaults: one spaCy process, one analysis process)"),
                ("n2", "`takeaways run --n-process 2`"),
                ("dask", "`takeaways run --task-runner dask` (2 workers)"),
            ):
                if (key, s) in self.runs and not (key == "run" and s in self.sizes):
                    rows.append(self._row(name, s, self.runs[(key, s)]))
        return rows


def summary_lines(res: Results) -> list[str]:
    startup_m = res.startup
    startup = startup_m.wall_s if startup_m else 0.0
    startup_cpu = startup_m.cpu_s if startup_m else 0.0
    lines: list[str] = []
    for n in res.sizes:
        run, rerun, bare = res.runs.get(("run", n)), res.runs.get(("rerun", n)), res.bare_wps(n)
        bare_cpu = res.bare_cpu_wps(n)
        words = res.corpora[n].words
        if run and bare and bare_cpu:
            ratio = words / run.wall_s / bare
            excl = f"{words / (run.wall_s - startup) / bare:.2f}×" if run.wall_s > startup else "–"
            lines.append(
                f"- N = {n}: the whole run at **{ratio:.2f}×** bare spaCy speed ({excl} without the "
                f"{startup:.1f} s start-up; {words / run.cpu_s / bare_cpu:.2f}× in words per CPU-second). "
                "Aim: 0.8 or more."
            )
        if run and rerun:
            beyond = rerun.wall_s - startup  # negative: a no-op run is cheaper than the tiny one
            lines.append(
                f"- Incremental, N = {n}: a second run with nothing new took {rerun.wall_s:.1f} s = "
                f"{rerun.wall_s / run.wall_s:.1%} of the first run ({run.wall_s:.1f} s); "
                f"beyond the start-up, {beyond:+.1f} s = {beyond / run.wall_s:+.1%} of the first run (CPU "
                f"{rerun.cpu_s - startup_cpu:+.1f} s beyond the start-up's {startup_cpu:.1f} s). "
                "Aim: under 5% plus the start-up."
            )
    small, large = min(res.sizes), max(res.sizes)
    run_small, run_large = res.runs.get(("run", small)), res.runs.get(("run", large))
    if run_small and run_large and small != large:
        words_factor = res.corpora[large].words / res.corpora[small].words
        excl = (
            f"×{(run_large.wall_s - startup) / (run_small.wall_s - startup):.2f}"
            if run_small.wall_s > startup
            else "–"
        )
        lines.append(
            f"- Scaling N = {small} → {large} (×{large / small:g} documents, ×{words_factor:.2f} words): "
            f"wall time ×{run_large.wall_s / run_small.wall_s:.2f} ({excl} without the start-up), CPU time "
            f"×{run_large.cpu_s / run_small.cpu_s:.2f} (×"
            f"{(run_large.cpu_s - startup_cpu) / max(run_small.cpu_s - startup_cpu, 1e-9):.2f} without the "
            f"start-up's CPU); linear would be ×{words_factor:.2f}."
        )
        if run_small.tree_rss_mb and run_large.tree_rss_mb:
            lines.append(
                f"- Peak RSS of the run's process tree: {run_small.tree_rss_mb:,.0f} MB at N = {small}, "
                f"{run_large.tree_rss_mb:,.0f} MB at N = {large} (largest single process "
                f"{_fmt(run_small.max_process_rss_mb, 0)} → {_fmt(run_large.max_process_rss_mb, 0)} MB)."
            )
    if res.analysis is not None and (bare_n := res.bare_wps(res.analysis[0])):
        n, engine = res.analysis
        words = res.corpora[n].words
        lines.append(
            f"- The engine alone at N = {n} (`nlp.analyse` in one process, models loaded; no Prefect, store "
            f"or output files): {words / engine.wall_s / bare_n:.2f}× bare spaCy: what the NLP beyond spaCy "
            "(themes, quotes, facts, keyphrases, takeaways) costs when it runs after spaCy in one process. "
            "`takeaways run` runs it beside spaCy instead: spaCy parses in one worker process (as in the "
            "bare pass) while a second one analyses the previous batch and the run's own process saves the "
            "one before; so the run's wall time can beat this row, and words per CPU-second is the "
            "measure of what the whole pipeline costs on top of spaCy."
        )
    s = res.scale_size
    if s is not None and ("run", s) in res.runs:
        base = res.runs[("run", s)]
        for key, label in (("n2", "`--n-process 2`"), ("dask", "`--task-runner dask` (2 workers)")):
            other = res.runs.get((key, s))
            if other is None:
                continue
            speedup_excl = (
                f"{(base.wall_s - startup) / (other.wall_s - startup):.2f}×"
                if other.wall_s > startup
                else "–"
            )
            lines.append(
                f"- {label} at N = {s}: {other.wall_s:.1f} s vs {base.wall_s:.1f} s with the defaults "
                f"(speed-up {base.wall_s / other.wall_s:.2f}×, {speedup_excl} without the start-up); "
                f"CPU {other.cpu_s:.0f} s vs {base.cpu_s:.0f} s; "
                f"peak RSS tree {_fmt(other.tree_rss_mb, 0)} MB vs {_fmt(base.tree_rss_mb, 0)} MB."
            )
    return lines


def render(res: Results, command: str) -> str:
    corpus_lines = [
        f"N = {n}: {c.words:,} words in {len(c.texts)} documents"
        + (f" ({c.rejected} rejected, {c.duplicates} duplicates)" if c.rejected or c.duplicates else "")
        + f", {c.paths[0].parent.name}/{c.paths[0].name} … {c.paths[-1].parent.name}/{c.paths[-1].name}"
        for n, c in sorted(res.corpora.items())
    ]
    parts = [
        SECTION,
        "",
        f"- Date: {res.started:%Y-%m-%d %H:%M} (local); whole benchmark {res.total_s / 60:.1f} min.",
        f"- Machine: {machine()}.",
        f"- Load average at start → end: {res.load_range}. Other processes may be running: every row shows "
        "the 1-minute load average before → after it, ⚠ where it exceeded the number of CPUs + 1 "
        "(this benchmark keeps about one busy; wall times "
        "there are inflated by waiting for a CPU; words per CPU-second suffers much less).",
        f"- Versions: {versions()}.",
        f"- Command: `{command}` (from the project root, in the venv).",
        "- Inputs: UN General Debate speeches, `../shared/data/ungdc/TXT/*/*.txt` sorted, first N, read in "
        "place; " + "; ".join(corpus_lines) + ".",
        "- Words: whitespace-separated tokens of the normalized text (`nlp.ingest.read_document(...).text`, "
        "what `takeaways run` analyses). Bare spaCy = `nlp.pipe(texts, batch_size=16, n_process=1)` with "
        "`nlp.linguistic.analysis_pipeline('en_core_web_sm')` in this process (pipeline loaded before "
        f"timing, {res.load_s:.1f} s); × bare = the run's words/s over the mean of the bare passes at the "
        "same N.",
        "- `takeaways run`: a subprocess with a fresh output folder, `PREFECT_HOME` and "
        "`TAKEAWAYS_MODELS_DIR` in a temporary folder (theme model trained beforehand"
        + (f", {res.train.wall_s:.0f} s, not in any timing" if res.train else "")
        + "), Prefect's ephemeral server. CPU s = user + system time of the whole process tree (`wait4`); "
        "peak RSS tree = summed RSS of the process and all its descendants (Prefect's server, spaCy or "
        "Dask workers) sampled every 0.25 s with psutil (shared pages count once per process, so an upper "
        "bound); max process RSS = the largest single process, sampled the same way.",
        "- Start-up = a whole `takeaways run` over one tiny document (Python imports, Prefect's ephemeral "
        "server, spaCy and theme-model loading, store creation, publishing), measured at the start and "
        "after each size's runs; the fastest warm one (in bold) is the constant that 'excl. start-up' "
        "subtracts.",
        "",
        throughput_table(res.rows()),
        "",
        *summary_lines(res),
    ]
    if res.notes:
        parts += ["", *(f"- {note}" for note in res.notes)]
    return "\n".join(parts).rstrip() + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000], help="numbers of speeches")
    parser.add_argument(
        "--scale-size",
        type=int,
        default=300,
        help="N for `--n-process 2` and Dask vs the default runner (0: skip)",
    )
    parser.add_argument("--bare-repeats", type=int, default=2, help="bare spaCy passes per size")
    parser.add_argument(
        "--parser-size", type=int, default=None, help="N for full en_core_web_sm (default: smallest size)"
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the UNGDC TXT folder")
    parser.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md alone")
    parser.add_argument("--keep-temp", action="store_true", help="keep the temporary folder (outputs, logs)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    command = " ".join([COMMAND, *(sys.argv[1:] if argv is None else argv)])
    paths = speech_paths(args.data, max(args.sizes)) if args.data.is_dir() else []
    if not paths:
        print(f"Skipping the speed benchmark: no UN General Debate speeches found in {args.data}/*/*.txt.")
        return 0
    sizes = sorted({min(n, len(paths)) for n in args.sizes})
    scale = min(args.scale_size, len(paths)) if args.scale_size > 0 else None
    res = Results(started=dt.datetime.now(), sizes=sizes, scale_size=scale)
    load_start = os.getloadavg()
    t_all = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="takeaways-speed-"))
    log(f"temporary folder {work}; load average {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}")
    try:
        _measure(res, args, paths, work)
    finally:
        if args.keep_temp:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    res.total_s = time.perf_counter() - t_all
    load_end = os.getloadavg()
    res.load_range = (
        f"{load_start[0]:.2f} / {load_start[1]:.2f} / {load_start[2]:.2f} → "
        f"{load_end[0]:.2f} / {load_end[1]:.2f} / {load_end[2]:.2f} (1 / 5 / 15 min)"
    )
    report = render(res, command)
    print(report)
    if not args.no_write:
        replace_section(RESULTS, report, heading=SECTION)
        log(f"wrote the '{SECTION}' section of {RESULTS}")
    return 0


def _measure(res: Results, args: argparse.Namespace, paths: list[Path], work: Path) -> None:
    from nlp.linguistic import analysis_pipeline
    from nlp.pipeline import load_pipeline

    needed = sorted({*res.sizes, *([res.scale_size] if res.scale_size else [])})
    for n in needed:
        res.corpora[n] = load_corpus(paths, n, work / "inputs" / str(n))
        log(f"N = {n}: {res.corpora[n].words:,} words in {len(res.corpora[n].texts)} documents")
    runner = Runner(work)
    res.train = runner.train()
    log(f"theme model trained in {res.train.wall_s:.1f} s (setup, not timed)")
    t0 = time.perf_counter()
    nlp = analysis_pipeline(SPACY_MODEL)
    res.load_s = time.perf_counter() - t0

    tiny = work / "inputs" / "tiny"
    tiny.mkdir(parents=True)
    (tiny / "statement.txt").write_text(_TINY_TEXT, encoding="utf-8")
    for _ in range(2):  # the first one also creates Prefect's database in the fresh PREFECT_HOME
        _startup(res, runner, tiny, work, "at the start")
    res.prefect = runner.prefect_only()
    log(f"Prefect alone {res.prefect.wall_s:.1f} s")

    for n in res.sizes:
        corpus = res.corpora[n]
        res.bare[n] = []
        for i in range(max(args.bare_repeats, 1)):
            if i == 1:  # bracket the run: the second bare pass comes after it
                _run_and_rerun(res, runner, corpus, work)
            measure = bare_pass(nlp, corpus.texts)
            res.bare[n].append(measure)
            log(f"bare spaCy N = {n} pass {i + 1}: {corpus.words / measure.wall_s:,.0f} words/s")
        if args.bare_repeats < 2:
            _run_and_rerun(res, runner, corpus, work)
        _startup(res, runner, tiny, work, f"after the N = {n} runs")

    parser_n = min(args.parser_size or res.sizes[0], len(paths))
    if parser_n not in res.corpora:
        res.corpora[parser_n] = load_corpus(paths, parser_n, work / "inputs" / f"{parser_n}")
    full = load_pipeline(SPACY_MODEL)
    res.parser = (parser_n, "+".join(full.pipe_names), bare_pass(full, res.corpora[parser_n].texts))
    full_wps = res.corpora[parser_n].words / res.parser[2].wall_s
    log(f"full {SPACY_MODEL} N = {parser_n}: {full_wps:,.0f} words/s")
    res.analysis = (parser_n, engine_pass(runner, res.corpora[parser_n].texts))
    log(f"engine alone N = {parser_n}: {res.corpora[parser_n].words / res.analysis[1].wall_s:,.0f} words/s")

    s = res.scale_size
    if s is None:
        return
    corpus = res.corpora[s]
    if ("run", s) not in res.runs:
        res.runs[("run", s)] = runner.run([corpus.folder], work / "out" / f"scale-{s}", label=f"run-{s}")
        check_analysed(res.runs[("run", s)], len(corpus.texts), label=f"run N = {s}")
        log(f"run N = {s}: {res.runs[('run', s)].wall_s:.1f} s")
    for key, extra in (("n2", ("--n-process", "2")), ("dask", ("--task-runner", "dask"))):
        measure = runner.run([corpus.folder], work / "out" / f"{key}-{s}", *extra, label=f"{key}-{s}")
        check_analysed(measure, len(corpus.texts), label=f"{key} N = {s}")
        res.runs[(key, s)] = measure
        log(f"{key} N = {s}: {measure.wall_s:.1f} s")


def _startup(res: Results, runner: Runner, tiny: Path, work: Path, when: str) -> None:
    k = len(res.startups) + 1
    measure = runner.run([tiny], work / "out" / f"tiny-{k}", label=f"tiny-{k}")
    res.startups.append((when, measure))
    log(f"start-up ({when}): {measure.wall_s:.1f} s")


def _run_and_rerun(res: Results, runner: Runner, corpus: Corpus, work: Path) -> None:
    n = corpus.n
    out = work / "out" / f"run-{n}"
    first = runner.run([corpus.folder], out, label=f"run-{n}")
    check_analysed(first, len(corpus.texts), label=f"run N = {n}")
    res.runs[("run", n)] = first
    log(f"run N = {n}: {first.wall_s:.1f} s, {corpus.words / first.wall_s:,.0f} words/s")
    second = runner.run([corpus.folder], out, label=f"rerun-{n}")
    if second.analysed not in (0, None):
        log(f"WARNING rerun N = {n} analysed {second.analysed} documents again")
    res.runs[("rerun", n)] = second
    log(f"rerun N = {n}: {second.wall_s:.1f} s")


if __name__ == "__main__":
    raise SystemExit(main())
