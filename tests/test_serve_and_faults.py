"""Whole-process behaviour: a scheduled run picks up a new file; a SIGKILLed run loses and duplicates nothing.

These start `takeaways` as a real subprocess, as an operator would, each with its own Prefect home.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from nlp.summary import DocumentSummary
from nlp.training import ThemeModel
from tests.support.http_server import Reply, Route, local_server

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"
TAKEAWAYS = [sys.executable, "-m", "flows"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), **extra}
    env.pop("PREFECT_API_URL", None)
    return env


def _wait(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}")


def _summaries(out: Path) -> list[Path]:
    return sorted((out / "summaries").glob("*.json")) if (out / "summaries").is_dir() else []


def test_a_scheduled_run_fires_and_processes_a_file_dropped_into_the_watched_folder(
    tmp_path: Path, theme_model: ThemeModel
) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (inbox / "board.txt").write_bytes((SAMPLES / "meeting_board.txt").read_bytes())
    serve = subprocess.Popen(
        [*TAKEAWAYS, "serve", "--interval", "5", str(inbox), "--out", str(out)],
        env=_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        _wait(lambda: len(_summaries(out)) == 1, 360, "the first scheduled run")
        (inbox / "ministry.html").write_bytes((SAMPLES / "statement_ministry.html").read_bytes())
        _wait(lambda: len(_summaries(out)) == 2, 240, "a later run to pick up the new file")
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            pytest.fail("takeaways serve did not stop within 120 s of SIGTERM")
    assert serve.stderr is not None
    warnings = serve.stderr.read().decode(errors="replace")
    assert "ephemeral server" not in warnings, "serve must use the server it started, which can schedule"
    titles = {DocumentSummary.model_validate_json(p.read_text()).format for p in _summaries(out)}
    assert titles == {"txt", "html"}
    server_log = (out / "prefect-server.log").read_text(errors="replace")
    port = re.search(r"http://127\.0\.0\.1:(\d+)", server_log)
    assert port, "the local Prefect server's address is in its log"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port[1]}/api/health", timeout=2)  # stopped with the command


def _bulletin(i: int, paragraph: str) -> Route:
    """A page with an ETag: after a kill its fetch state must not hide it from the next run."""
    body = f"<html><body><h1>Bulletin {i}</h1><p>{paragraph}</p></body></html>".replace("2025", str(1990 + i))

    def route(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == f'"{i}"':
            return Reply(status=304)
        return Reply(body=body.encode(), headers={"Content-Type": "text/html", "ETag": f'"{i}"'})

    return route


def test_a_run_killed_mid_analysis_then_rerun_processes_every_document_exactly_once(
    tmp_path: Path, theme_model: ThemeModel
) -> None:
    docs, out = tmp_path / "docs", tmp_path / "out"
    docs.mkdir()
    paragraph = (SAMPLES / "meeting_board.txt").read_text()
    for i in range(4):
        (docs / f"speech_{i:02d}.txt").write_text(
            f"Speech number {i}\n\n" + paragraph.replace("2025", str(2000 + i))
        )
    env = _env(tmp_path, TAKEAWAYS_BATCH_SIZE="2")
    # URL documents, read after the files: the kill lands while their fetch state is ahead of the store
    pages = {f"/bulletin/{i}": _bulletin(i, paragraph) for i in range(20)}
    server_context = ExitStack()
    server = server_context.enter_context(local_server(pages))
    urls = [server.url(path) for path in pages]
    run = [*TAKEAWAYS, "run", *urls, str(docs), "--out", str(out)]
    db = out / "takeaways.db"

    def stored() -> int:
        if not db.exists():
            return 0
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as connection:
                return int(connection.execute("select count(*) from documents").fetchone()[0])
        except sqlite3.Error:
            return 0

    first = subprocess.Popen(
        run, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        _wait(lambda: stored() >= 4, 240, "the first batches to be stored")
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    assert stored() < 24, "the run finished before it could be killed; make the documents longer"
    # Whether the kill lands mid-write is luck; leave such a file for certain, named as the dead run would.
    (out / "summaries").mkdir(exist_ok=True)
    (out / "summaries" / f".half.json.{first.pid}-x1y2z3w4.tmp").write_text('{"id": "hal')

    try:
        second = subprocess.run([*run, "-v"], env=env, capture_output=True, text=True, timeout=600)
    finally:
        server_context.close()
    assert second.returncode == 0, second.stderr
    assert "Starting temporary server" not in second.stdout + second.stderr, "one Prefect server per run"
    assert stored() == 24
    with sqlite3.connect(db) as connection:
        sources = [row[0] for row in connection.execute("select source from documents")]
        sentences = connection.execute("select count(*) from sentences").fetchone()[0]
        distinct = connection.execute(
            "select count(distinct document_id || ':' || i) from sentences"
        ).fetchone()[0]
        statuses = dict(connection.execute("select status, count(*) from runs group by status").fetchall())
    summaries = [DocumentSummary.model_validate_json(p.read_text()) for p in _summaries(out)]
    expected = sorted([*urls, *(str(p) for p in docs.iterdir())])
    assert sorted(sources) == expected, "every file and URL stored once: none lost, none twice"
    assert sorted(s.source for s in summaries) == expected, "one summary file per document, no stray one"
    corpus = json.loads((out / "corpus.json").read_text())
    assert sorted(d["source"] for d in corpus["documents"]) == expected
    assert sentences == distinct == sum(len(s.sentences) for s in summaries)
    assert statuses == {"interrupted": 1, "completed": 1}
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")], "no half-written files"
