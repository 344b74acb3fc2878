"""Speed benchmark: ``python -m benchmarks.throughput [--sizes 40 100 1000] [--repeats 5]``.

Measures the speed acceptance criteria side by side in one session, one process at a time, each row with
the 1-minute load average before and after it:

1. one short document (the bundled press release sample): a whole ``takeaways run``, median of the
   repeats, cold (the command boots Prefect's ephemeral API) and with a running local Prefect server;
2. ``takeaways run`` against the naive spaCy script a user would write (``spacy.load`` + ``nlp.pipe``),
   both whole processes, on the same UN General Debate speeches (``../shared/data/ungdc/TXT/*/*.txt``,
   sorted, first N, linked into a temporary folder);
3. a second run over the same sources and output folder with nothing new;
4. peak memory of the run's process tree at 100 and 1,000 documents;
5. ``--task-runner dask`` at 100 documents, and the default run's time per 1,000 documents.

Prints a Markdown report whose summary states each criterion's target and PASS/FAIL, and writes it into
``benchmarks/RESULTS.md`` under "## Speed" (other sections are kept as they are).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import importlib.util
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

from benchmarks.results_file import RESULTS, replace_section

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "data" / "ungdc" / "TXT"
SAMPLE = PROJECT_ROOT / "corpus" / "samples" / "statement_ministry.html"
SECTION = "## Speed"
COMMAND = "python -m benchmarks.throughput"
SPACY_MODEL = "en_core_web_sm"
DEFAULT_SIZES = (40, 100, 1000)
DASK_SIZE = 100
_PACKAGES = ("spacy", "prefect", "prefect-dask", "dask", "distributed", "scikit-learn", "pydantic", "psutil")
# \s+: Rich wraps long lines when its output is not a terminal
_DONE = re.compile(r"(\d+)\s+analysed(?:\s+\([^)]*\))?,\s+(\d+)\s+unchanged,\s+(\d+)\s+failed")
_NAIVE_DONE = re.compile(r"^(\d+) documents$", re.M)
_SAMPLE_INTERVAL_S = 0.25
_SERVER_TIMEOUT_S = 120.0
_MB = 1024 * 1024

# Targets of the acceptance criteria.
ONE_DOC_COLD_S = 6.0
ONE_DOC_SERVER_S = 4.0
NAIVE_RATIO = {40: 1.0, 1000: 1.3}
RERUN_SHARE, RERUN_FLOOR_S = 0.10, 5.0
MEMORY_SIZES = (100, 1000)
MEMORY_FLAT = 0.10

_NAIVE_SCRIPT = """\
import glob
import sys

import spacy

nlp = spacy.load("{package}")
texts = [open(path, encoding="utf-8", errors="replace").read() for path in sorted(glob.glob(sys.argv[1]))]
for doc in nlp.pipe(texts):
    pass
print(len(texts), "documents")
"""


@dataclass(frozen=True)
class Measure:
    """One timed process; CPU and memory are those of its whole process tree."""

    wall_s: float
    cpu_s: float
    load_before: float
    load_after: float
    max_process_rss_mb: float | None = None
    """Largest single process of the tree, sampled with psutil (``ru_maxrss`` without psutil)."""
    tree_rss_mb: float | None = None
    """Peak of the summed RSS of the process tree, sampled every 0.25 s with psutil (if installed)."""
    output: str = field(default="", repr=False)

    @property
    def counts(self) -> tuple[int, int, int] | None:
        """``takeaways run``'s analysed, unchanged and failed documents, from its last line."""
        done = _DONE.search(self.output)
        return (int(done[1]), int(done[2]), int(done[3])) if done else None


@dataclass
class Corpus:
    """The first N speeches, linked into ``folder``; words as the naive script reads them."""

    n: int
    paths: list[Path]
    words: int
    folder: Path


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


def read_text(path: Path) -> str:
    """A file as the naive script reads it."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read()


def link_corpus(paths: Sequence[Path], n: int, folder: Path) -> Corpus:
    """Link the first ``n`` speeches into ``folder`` (read in place) and count their words."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths[:n]:
        (folder / path.name).symlink_to(path.resolve())
    words = sum(len(read_text(path).split()) for path in paths[:n])
    return Corpus(n, list(paths[:n]), words, folder)


def run_process(argv: Sequence[str], *, env: dict[str, str], log_path: Path) -> Measure:
    """Run a command to completion; wall time, CPU and peak RSS of its whole process tree."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
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
    sampled = sampler.available and sampler.peak_bytes > 0
    # ru_maxrss only without psutil: Linux keeps the parent's peak RSS across fork + exec, so a small
    # child of this process would report this process's size.
    return Measure(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        load_before=before,
        load_after=load1(),
        max_process_rss_mb=sampler.peak_single_bytes / _MB if sampled else usage.ru_maxrss / 1024,
        tree_rss_mb=sampler.peak_bytes / _MB if sampled else None,
        output=output,
    )


def installed_package() -> str:
    """The spaCy package ``takeaways run`` loads, so that the naive script loads the same one."""
    from nlp.pipeline import candidate_packages

    for package in candidate_packages(SPACY_MODEL):
        if importlib.util.find_spec(package) is not None:
            return package
    raise SystemExit(f"none of {candidate_packages(SPACY_MODEL)} is installed: run `make install` first")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrefectServer:
    """``prefect server start`` on a free port in its own process group, as an operator would run it."""

    def __init__(self, work: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.log_path = work / "logs" / "prefect-server.log"
        self.env = {
            **env,
            "PREFECT_HOME": str(work / "prefect-server-home"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start the server and wait until it answers; seconds it took."""
        prefect = Path(sys.executable).with_name("prefect")
        argv = [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(self.port)]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(
                argv, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + _SERVER_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
                raise RuntimeError(f"`prefect server start` exited with {self.process.returncode}:\n{tail}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                    if response.status == 200:
                        return time.perf_counter() - t0
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(
            f"the Prefect server did not answer at {self.url} within {_SERVER_TIMEOUT_S:.0f} s"
        )

    def stop(self) -> None:
        """Kill the server's whole process group (its API and services); safe to call twice."""
        if self.process is None:
            return
        process, self.process = self.process, None
        for sig, wait_s in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=wait_s)
                break
            except subprocess.TimeoutExpired:
                continue


class Runner:
    """Measured subprocesses sharing one temporary PREFECT_HOME and (empty) theme-model folder."""

    def __init__(self, work: Path, package: str) -> None:
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
        self.models_dir = work / "models"
        self.env["TAKEAWAYS_MODELS_DIR"] = str(self.models_dir)
        self.env["PREFECT_HOME"] = str(work / "prefect-home")
        # Cold means cold: a Prefect server this machine happens to run at the usual address is not used.
        self.env["TAKEAWAYS_DISCOVER_PREFECT"] = "0"
        self.naive_script = work / "naive_spacy.py"
        self.naive_script.write_text(_NAIVE_SCRIPT.format(package=package), encoding="utf-8")
        self._count = 0
        self._outs = 0

    def _log(self, label: str) -> Path:
        self._count += 1
        return self.work / "logs" / f"{self._count:02d}-{label}.log"

    def fresh_out(self, label: str) -> Path:
        self._outs += 1
        return self.work / "out" / f"{self._outs:02d}-{label}"

    def run(
        self, sources: Sequence[Path], out: Path, *extra: str, label: str, api_url: str | None = None
    ) -> Measure:
        argv = [self.takeaways, "run", *map(str, sources), "--out", str(out), *extra]
        env = {**self.env, "PREFECT_API_URL": api_url} if api_url else self.env
        return run_process(argv, env=env, log_path=self._log(label))

    def naive(self, corpus: Corpus) -> Measure:
        argv = [sys.executable, str(self.naive_script), str(corpus.folder / "*.txt")]
        return run_process(argv, env=self.env, log_path=self._log(f"naive-{corpus.n}"))

    def trained_models(self) -> list[Path]:
        """Whatever a run saved into TAKEAWAYS_MODELS_DIR: nothing, when the shipped model was used."""
        return sorted(self.models_dir.rglob("*")) if self.models_dir.exists() else []


@dataclass
class Results:
    started: dt.datetime
    sizes: list[int]
    repeats: int
    dask_size: int | None
    package: str = ""
    corpora: dict[int, Corpus] = field(default_factory=dict)
    setup: Measure | None = None
    """The first run in the fresh PREFECT_HOME (creates Prefect's database): shown, not in a median."""
    one_doc: dict[str, list[Measure]] = field(default_factory=lambda: {"cold": [], "server": []})
    server_boot_s: float | None = None
    naive: dict[int, Measure] = field(default_factory=dict)
    runs: dict[tuple[str, int], Measure] = field(default_factory=dict)
    """Keyed by ("run" | "rerun" | "dask", N)."""
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    total_s: float = 0.0
    load_range: str = ""

    def median(self, mode: str) -> float | None:
        runs = self.one_doc.get(mode)
        return statistics.median(m.wall_s for m in runs) if runs else None

    def words(self, n: int) -> int:
        return self.corpora[n].words


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


def _busy(load: float) -> bool:
    return load > (os.cpu_count() or 1) + 1  # +1: this benchmark's own busy process


def _load(measure: Measure) -> str:
    busy = _busy(max(measure.load_before, measure.load_after))
    return f"{measure.load_before:.1f}→{measure.load_after:.1f}{' ⚠' if busy else ''}"


def _load_range(measures: Sequence[Measure]) -> str:
    loads = [x for m in measures for x in (m.load_before, m.load_after)]
    return f"{min(loads):.1f}–{max(loads):.1f} over the runs{' ⚠' if _busy(max(loads)) else ''}"


def _median(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def one_doc_table(res: Results) -> str:
    header = (
        "measurement",
        "wall s",
        "CPU s",
        "peak RSS tree MB",
        "max process RSS MB",
        "load 1 min before→after",
    )

    def row(name: str, m: Measure) -> tuple[str, ...]:
        return (
            name,
            _fmt(m.wall_s, 2),
            _fmt(m.cpu_s),
            _fmt(m.tree_rss_mb, 0),
            _fmt(m.max_process_rss_mb, 0),
            _load(m),
        )

    body: list[tuple[str, ...]] = []
    if res.setup is not None:
        body.append(
            row(
                "setup: first run in the fresh PREFECT_HOME (creates Prefect's database; no median)",
                res.setup,
            )
        )
    for mode, label in (("cold", "cold (ephemeral API)"), ("server", "with a running local Prefect server")):
        runs = res.one_doc[mode]
        body += [row(f"{label}, run {i}", m) for i, m in enumerate(runs, 1)]
        if runs:
            body.append(
                (
                    f"**{label}, median of {len(runs)}**",
                    f"**{statistics.median(m.wall_s for m in runs):.2f}**",
                    _fmt(statistics.median(m.cpu_s for m in runs)),
                    _fmt(_median([m.tree_rss_mb for m in runs]), 0),
                    _fmt(_median([m.max_process_rss_mb for m in runs]), 0),
                    _load_range(runs),
                )
            )
    return table(header, body)


def corpus_table(res: Results) -> str:
    header = (
        "measurement",
        "N",
        "analysed / unchanged",
        "wall s",
        "CPU s",
        "words/s",
        "naive wall ÷ this wall",
        "% of the first run",
        "peak RSS tree MB",
        "max process RSS MB",
        "load 1 min before→after",
    )
    body: list[tuple[str, ...]] = []

    def row(name: str, n: int, m: Measure, *, speed: bool = True, share: float | None = None) -> None:
        counts = m.counts
        naive = res.naive.get(n)
        body.append(
            (
                name,
                _fmt(n),
                f"{counts[0]:,} / {counts[1]:,}" if counts else "–",
                _fmt(m.wall_s),
                _fmt(m.cpu_s),
                _fmt(res.words(n) / m.wall_s, 0) if speed else "–",
                f"{naive.wall_s / m.wall_s:.2f}×" if naive and speed and m is not naive else "–",
                f"{share:.1%}" if share is not None else "–",
                _fmt(m.tree_rss_mb, 0),
                _fmt(m.max_process_rss_mb, 0),
                _load(m),
            )
        )

    for n in res.sizes:
        if n in res.naive:
            row("naive spaCy script", n, res.naive[n])
        first = res.runs.get(("run", n))
        if first is not None:
            row("**`takeaways run`**", n, first)
        if ("rerun", n) in res.runs:
            rerun = res.runs[("rerun", n)]
            share = rerun.wall_s / first.wall_s if first else None
            row("second `takeaways run`, nothing new", n, rerun, speed=False, share=share)
    if res.dask_size is not None and ("dask", res.dask_size) in res.runs:
        row(
            "`takeaways run --task-runner dask` (2 workers)", res.dask_size, res.runs[("dask", res.dask_size)]
        )
    return table(header, body)


def _verdict(ok: bool) -> str:
    return "**PASS**" if ok else "**FAIL**"


def summary_lines(res: Results) -> list[str]:
    """Each criterion with its target and PASS/FAIL, computed from the rows above."""
    lines: list[str] = []
    verdicts: list[bool] = []

    def criterion(number: int, text: str, ok: bool | None) -> None:
        if ok is not None:
            verdicts.append(ok)
            text += f": {_verdict(ok)}"
        lines.append(f"- **{number}.** {text}.")

    for mode, label, target in (
        ("cold", "cold", ONE_DOC_COLD_S),
        ("server", "with a running local Prefect server", ONE_DOC_SERVER_S),
    ):
        median = res.median(mode)
        if median is None:
            criterion(1, f"One short document, {label}: not measured", False)
            continue
        walls = ", ".join(f"{m.wall_s:.2f}" for m in res.one_doc[mode])
        criterion(
            1,
            f"One short document, {label}: median {median:.2f} s ({walls}); target ≤ {target:g} s",
            median <= target,
        )

    for n in res.sizes:
        run, naive = res.runs.get(("run", n)), res.naive.get(n)
        if run is None or naive is None:
            criterion(2, f"N = {n}: `takeaways run` vs the naive spaCy script: not measured", False)
            continue
        ratio = naive.wall_s / run.wall_s
        words = res.words(n)
        text = (
            f"N = {n}: naive spaCy script {naive.wall_s:.1f} s ({words / naive.wall_s:,.0f} words/s), "
            f"`takeaways run` {run.wall_s:.1f} s ({words / run.wall_s:,.0f} words/s): ratio {ratio:.2f}×"
        )
        least = NAIVE_RATIO.get(n)
        if least is None:
            criterion(2, text + " (no target at this N)", None)
        else:
            criterion(2, text + f"; target ≥ {least:g}×", ratio >= least)

    for n in res.sizes:
        run, rerun = res.runs.get(("run", n)), res.runs.get(("rerun", n))
        if run is None or rerun is None:
            criterion(3, f"N = {n}: second run with nothing new: not measured", False)
            continue
        limit = max(RERUN_SHARE * run.wall_s, RERUN_FLOOR_S)
        criterion(
            3,
            f"N = {n}: second run with nothing new {rerun.wall_s:.1f} s = "
            f"{rerun.wall_s / run.wall_s:.1%} of the first ({run.wall_s:.1f} s); "
            f"target ≤ max({RERUN_SHARE:.0%} of the first, {RERUN_FLOOR_S:g} s) = {limit:.1f} s",
            rerun.wall_s <= limit,
        )

    small, large = MEMORY_SIZES if set(MEMORY_SIZES) <= set(res.sizes) else (min(res.sizes), max(res.sizes))
    stated = (
        ""
        if (small, large) == MEMORY_SIZES
        else f" (the criterion is stated for {MEMORY_SIZES[0]} → {MEMORY_SIZES[1]})"
    )
    a, b = res.runs.get(("run", small)), res.runs.get(("run", large))
    if small == large or a is None or b is None:
        criterion(4, f"Peak memory flat from N = {small} to {large}{stated}: not measured", False)
    else:
        for what, x, y in (
            ("summed RSS of the process tree", a.tree_rss_mb, b.tree_rss_mb),
            ("largest single process", a.max_process_rss_mb, b.max_process_rss_mb),
        ):
            if not x or not y:
                criterion(4, f"Peak memory, {what}: not measured (psutil missing?)", False)
                continue
            criterion(
                4,
                f"Peak memory, {what}: {x:,.0f} MB at N = {small} → {y:,.0f} MB at N = {large}{stated}, "
                f"×{y / x:.2f}; target within ±{MEMORY_FLAT:.0%}",
                abs(y / x - 1) <= MEMORY_FLAT,
            )

    s = res.dask_size
    if s is not None:
        dask, naive, run = res.runs.get(("dask", s)), res.naive.get(s), res.runs.get(("run", s))
        if dask is None:
            criterion(5, f"`--task-runner dask` at N = {s}: not measured", False)
        else:
            versus = [
                f"naive wall ÷ dask wall {naive.wall_s / dask.wall_s:.2f}× (naive {naive.wall_s:.1f} s)"
                if naive
                else "",
                f"default run ÷ dask {run.wall_s / dask.wall_s:.2f}× (default {run.wall_s:.1f} s)"
                if run
                else "",
            ]
            compared = "; ".join(v for v in versus if v)
            stated = "" if s == DASK_SIZE else f" (the criterion is stated for N = {DASK_SIZE})"
            criterion(
                5,
                f"`takeaways run --task-runner dask` (LocalCluster, 2 workers) at N = {s}{stated}: "
                f"{dask.wall_s:.1f} s, {res.words(s) / dask.wall_s:,.0f} words/s; {compared} (no target)",
                None,
            )
    per_thousand = _per_thousand(res)
    if per_thousand:
        criterion(5, f"Default `takeaways run` per 1,000 documents: {per_thousand}", None)

    passed = sum(verdicts)
    lines.append(f"- **{passed} of {len(verdicts)} checks pass.**")
    return lines


def _per_thousand(res: Results) -> str | None:
    measured = [n for n in res.sizes if ("run", n) in res.runs]
    if not measured:
        return None
    if 1000 in measured:
        run = res.runs[("run", 1000)]
        words = res.words(1000)
        return f"**{run.wall_s:,.0f} s** ({run.wall_s / 60:.1f} min, {words:,} words; measured at N = 1,000)"
    n = max(measured)
    run = res.runs[("run", n)]
    estimate = run.wall_s * 1000 / n
    return (
        f"about {estimate:,.0f} s, extrapolated linearly from {run.wall_s:.1f} s at N = {n} (an "
        "overestimate: the constant start-up is scaled too)"
    )


def render(res: Results, command: str) -> str:
    corpus_lines = [
        f"N = {n}: {c.words:,} words, {c.paths[0].parent.name}/{c.paths[0].name} … "
        f"{c.paths[-1].parent.name}/{c.paths[-1].name}"
        for n, c in sorted(res.corpora.items())
    ]
    script = _NAIVE_SCRIPT.format(package=res.package).rstrip()
    parts = [
        SECTION,
        "",
        f"- Date: {res.started:%Y-%m-%d %H:%M} (local); whole benchmark {res.total_s / 60:.1f} min.",
        f"- Machine: {machine()}.",
        f"- Load average at start → end: {res.load_range}. Other processes may be running: every row shows "
        "the 1-minute load average before → after it, ⚠ where it exceeded the number of CPUs + 1 (wall "
        "times there are inflated by waiting for a CPU). Rows run one at a time, in the order shown.",
        f"- Versions: {versions()}.",
        f"- Command: `{command}` (from the project root, in the venv; `make bench-speed`).",
        f"- One short document: `{SAMPLE.relative_to(PROJECT_ROOT)}` ({SAMPLE.stat().st_size:,} bytes). "
        "Cold: no Prefect server running and `PREFECT_API_URL` unset, so the command boots Prefect's "
        "ephemeral API itself. With a server: `prefect server start --host 127.0.0.1 --port <free port>` "
        "(its own `PREFECT_HOME` in the temporary folder, analytics off), started once"
        + (
            f" ({res.server_boot_s:.1f} s until `/api/health` answered, not timed)"
            if res.server_boot_s
            else ""
        )
        + ", the runs given its `PREFECT_API_URL`, then stopped (its process group killed); the server's "
        "own CPU and memory are not in those rows.",
        "- Speeches: UN General Debate speeches, `../shared/data/ungdc/TXT/*/*.txt` sorted, first N, "
        "symlinked into a temporary folder and read in place; " + "; ".join(corpus_lines) + ". Words: "
        "whitespace-separated tokens of the files as the naive script reads them, one count for both, so "
        "the ratio of words/s is the ratio of wall times.",
        "- Every `takeaways run`: a whole process with a fresh output folder (the second run reuses the "
        "first's), `PREFECT_HOME` and `TAKEAWAYS_MODELS_DIR` in the temporary folder, the latter empty so "
        "that the shipped theme model (`configs/theme_model`) is used and nothing is trained. CPU s = user + "
        "system time of the whole process tree (`wait4`); peak RSS tree = summed RSS of the process and all "
        "its descendants (Prefect's ephemeral API, analysing or Dask workers) sampled every 0.25 s with "
        "psutil (shared pages count once per process, so an upper bound); max process RSS = the largest "
        "single process, sampled the same way.",
        "- Naive spaCy script: what a user would write, run the same way as a whole process with the "
        "venv's Python (start-up and model load included; default components, `nlp.pipe` defaults, one "
        "process); ratio = naive wall ÷ `takeaways run` wall at the same N:",
        "",
        "```python",
        script,
        "```",
        "",
        "### One short document",
        "",
        one_doc_table(res),
        "",
        "### UN speeches",
        "",
        corpus_table(res),
        "",
        "### Acceptance criteria",
        "",
        *summary_lines(res),
    ]
    notes = [*(f"FAILED: {f}" for f in res.failures), *res.notes]
    if notes:
        parts += ["", *(f"- {note}" for note in notes)]
    return "\n".join(parts).rstrip() + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(DEFAULT_SIZES),
        help="numbers of speeches (default: 40 100 1000)",
    )
    parser.add_argument("--repeats", type=int, default=5, help="runs per mode over the one short document")
    parser.add_argument(
        "--no-dask",
        action="store_true",
        help=f"skip `--task-runner dask` (run at N = {DASK_SIZE} if measured)",
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
    sizes = sorted({min(n, len(paths)) for n in args.sizes if n > 0})
    dask_size = None if args.no_dask else (DASK_SIZE if DASK_SIZE in sizes else sizes[0])
    res = Results(started=dt.datetime.now(), sizes=sizes, repeats=max(args.repeats, 1), dask_size=dask_size)
    res.package = installed_package()
    load_start = os.getloadavg()
    t_all = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="takeaways-speed-"))
    log(f"temporary folder {work}; load average {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}")
    try:
        _measure(res, paths, work)
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
    if res.failures:
        log(f"{len(res.failures)} measurement(s) failed: {RESULTS} left alone")
        return 1
    if not args.no_write:
        replace_section(RESULTS, report, heading=SECTION)
        log(f"wrote the '{SECTION}' section of {RESULTS}")
    return 0


def _attempt(res: Results, label: str, measure: Callable[[], Measure]) -> Measure | None:
    """One row; a failed process is reported (and the report not written), the other rows still run."""
    try:
        m = measure()
    except RuntimeError as exc:
        res.failures.append(f"{label}: {str(exc).splitlines()[0]}")
        log(f"FAILED {label}: {exc}")
        return None
    log(f"{label}: {m.wall_s:.2f} s wall, {m.cpu_s:.1f} s CPU")
    return m


def _check_counts(res: Results, m: Measure | None, label: str, *, analysed: int, unchanged: int = 0) -> None:
    if m is None:
        return
    counts = m.counts
    if counts is None or counts[:2] != (analysed, unchanged) or counts[2]:
        note = (
            f"{label}: expected {analysed} analysed and {unchanged} unchanged, `takeaways run` said {counts}"
        )
        res.notes.append(note)
        log(f"WARNING {note}")


def _measure(res: Results, paths: list[Path], work: Path) -> None:
    for n in res.sizes:
        res.corpora[n] = link_corpus(paths, n, work / "inputs" / str(n))
        log(f"N = {n}: {res.corpora[n].words:,} words")
    runner = Runner(work, res.package)

    def one_doc(label: str, api_url: str | None = None) -> Measure:
        return runner.run([SAMPLE], runner.fresh_out(label), label=label, api_url=api_url)

    res.setup = _attempt(res, "setup run (fresh PREFECT_HOME)", functools.partial(one_doc, "setup"))
    for i in range(1, res.repeats + 1):
        cold = _attempt(res, f"one document, cold, run {i}", functools.partial(one_doc, "cold"))
        if cold is not None:
            res.one_doc["cold"].append(cold)

    server = PrefectServer(work, runner.env)
    try:
        res.server_boot_s = server.start()
        log(f"Prefect server at {server.url} answered after {res.server_boot_s:.1f} s")
        for i in range(1, res.repeats + 1):
            server_run = functools.partial(one_doc, "server", server.url)
            measure = _attempt(res, f"one document, server, run {i}", server_run)
            if measure is not None:
                res.one_doc["server"].append(measure)
    except RuntimeError as exc:
        res.failures.append(f"Prefect server: {str(exc).splitlines()[0]}")
        log(f"FAILED Prefect server: {exc}")
    finally:
        server.stop()

    for n in res.sizes:
        corpus = res.corpora[n]
        naive = _attempt(res, f"naive spaCy script, N = {n}", functools.partial(runner.naive, corpus))
        if naive is not None:
            res.naive[n] = naive
            done = _NAIVE_DONE.search(naive.output)
            if done is None or int(done[1]) != n:
                res.notes.append(f"naive spaCy script, N = {n}: read {done[1] if done else '?'} documents")
        out = runner.fresh_out(f"run-{n}")
        for key, label in (("run", "`takeaways run`"), ("rerun", "second `takeaways run`")):
            run = functools.partial(runner.run, [corpus.folder], out, label=f"{key}-{n}")
            m = _attempt(res, f"{label}, N = {n}", run)
            if m is not None:
                res.runs[(key, n)] = m
            first = key == "run"
            _check_counts(
                res, m, f"{label}, N = {n}", analysed=n if first else 0, unchanged=0 if first else n
            )

    if res.dask_size is not None:
        corpus = res.corpora[res.dask_size]
        label = f"`takeaways run --task-runner dask`, N = {corpus.n}"
        out = runner.fresh_out(f"dask-{corpus.n}")
        dask = functools.partial(runner.run, [corpus.folder], out, "--task-runner", "dask", label="dask")
        m = _attempt(res, label, dask)
        if m is not None:
            res.runs[("dask", corpus.n)] = m
        _check_counts(res, m, label, analysed=corpus.n)

    trained = runner.trained_models()
    if trained:
        res.notes.append(
            f"a run saved a theme model into TAKEAWAYS_MODELS_DIR ({len(trained)} files): it trained"
        )
    else:
        res.notes.append(
            "TAKEAWAYS_MODELS_DIR stayed empty: every run used the shipped theme model, none trained."
        )


if __name__ == "__main__":
    raise SystemExit(main())
