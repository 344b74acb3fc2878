"""The Prefect flow: incremental runs over the store, artifacts, failures, locking, bad stores, Dask."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from flows.run import pipeline
from flows.run.engine import Engine
from flows.run.pipeline import PipelineParameters, run_pipeline
from flows.store import Store, StoreBusy, StoreError
from nlp import analyse
from nlp.analyse import summarise_parsed
from nlp.summary import DocumentSummary
from tests.support.faults import break_pdf_analysis, die_on_statement_02

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"

pytestmark = pytest.mark.usefixtures("prefect_harness", "theme_model")


def _params(out: Path, *sources: Path, **kw: object) -> PipelineParameters:
    fields = {"sources": [str(s) for s in sources or (SAMPLES,)], "out_dir": str(out), **kw}
    return PipelineParameters.model_validate(fields)


def _store(out: Path) -> Store:
    return Store(f"sqlite:///{out / 'takeaways.db'}")


def _statements(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    topics = ["teacher training", "school funding", "rural connectivity", "girls' enrolment", "exam reform"]
    for i in range(n):
        topic = topics[i % len(topics)]
        (folder / f"statement_{i:02d}.txt").write_text(
            f"Statement {i} on {topic}\n\nThe ministry will act on {topic} in district {i}. "
            f"Teachers and parents must be consulted before {i + 2} new schools open.\n\n"
            f"Funding of {10 + i} million has been set aside for {topic}.\n"
        )
    return folder


def test_a_second_run_skips_everything_and_a_new_version_reanalyses(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    first = run_pipeline(_params(out))
    assert (first.found, first.analysed, first.skipped, first.failed) == (8, 8, 0, 0)
    with _store(out) as store:
        assert store.status()["documents"] == 8
        stored = {s.id: s for s in store.summaries()}
    for path in (out / "summaries").glob("*.json"):
        assert DocumentSummary.model_validate_json(path.read_text()) == stored[path.stem]
    corpus = json.loads((out / "corpus.json").read_text())
    assert len(corpus["documents"]) == 8

    second = run_pipeline(_params(out))
    assert (second.analysed, second.skipped) == (0, 8)

    real = pipeline.version_key
    monkeypatch.setattr(pipeline, "version_key", lambda settings: real(settings) + "+new-taxonomy")
    third = run_pipeline(_params(out))
    assert (third.analysed, third.skipped) == (8, 0)
    with _store(out) as store:
        status = store.status()
    assert status["documents"] == 8, "re-analysis replaces rows, never duplicates them"
    assert list(status["versions"].values()) == [8]


def test_a_new_model_reanalyses_stored_documents_of_earlier_runs_from_the_store(
    tmp_path: Path, monkeypatch
) -> None:
    """After a promoted retrain a run on one file brings the other run's documents to the new model too,
    without their sources: the store never mixes two models' themes."""
    out, docs = tmp_path / "out", _statements(tmp_path / "docs", 3)
    run_pipeline(_params(out, docs / "statement_00.txt"))
    run_pipeline(_params(out, docs / "statement_01.txt", docs / "statement_02.txt"))
    (docs / "statement_01.txt").unlink()  # its source is gone: the store is enough
    real = pipeline.version_key
    monkeypatch.setattr(pipeline, "version_key", lambda settings: real(settings) + "+promoted")
    report = run_pipeline(_params(out, docs / "statement_00.txt"))
    assert (report.analysed, report.reanalysed) == (3, 2)
    with _store(out) as store:
        status = store.status()
        assert store.outdated(real(pipeline.PipelineParameters(sources=["x"]).settings()) + "+promoted") == []
    assert status["documents"] == 3 and list(status["versions"].values()) == [3]
    again = run_pipeline(_params(out, docs / "statement_00.txt"))
    assert (again.analysed, again.reanalysed) == (0, 0)


def test_progress_knows_the_total_before_the_first_batch_is_saved(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    docs = _statements(tmp_path / "docs", 5)
    run_pipeline(
        _params(tmp_path / "out", docs, batch_size=2),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[0] == (0, 5), "the command shows 0/5 from the start, not 0/?"
    assert calls[-1] == (5, 5) and [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_run_rewrites_the_files_of_stored_documents_that_lost_them(tmp_path: Path) -> None:
    """A run killed after the store's commit but before a document's files were whole is repaired."""
    out = tmp_path / "out"
    run_pipeline(_params(out))
    summaries = sorted((out / "summaries").glob("*.json"))
    drafts = sorted((out / "drafts").glob("*"))
    before = {p: p.read_bytes() for p in [*summaries, *drafts] if p.suffix != ".docx"}
    lost = drafts[0].stem
    for path in [out / "summaries" / f"{lost}.json", *(out / "drafts").glob(f"{lost}.*")]:
        path.unlink()

    again = run_pipeline(_params(out))
    assert (again.analysed, again.skipped) == (0, 8)
    assert sorted((out / "summaries").glob("*.json")) == summaries
    assert sorted((out / "drafts").glob("*")) == drafts
    assert {p: p.read_bytes() for p in before} == before


def test_a_run_that_changes_nothing_keeps_the_outputs_and_rebuilds_a_missing_one(tmp_path: Path) -> None:
    out, docs = tmp_path / "out", _statements(tmp_path / "docs", 3)
    run_pipeline(_params(out, docs))
    built = {name: (out / name).read_bytes() for name in ("corpus.json", "report.html")}
    stamps = {name: (out / name).stat().st_mtime_ns for name in built}

    again = run_pipeline(_params(out, docs))
    assert again.skipped == 3 and again.errors == []
    assert {name: (out / name).stat().st_mtime_ns for name in built} == stamps, "nothing was rewritten"

    (out / "report.html").unlink()
    run_pipeline(_params(out, docs))
    unstamped = re.compile(rb"generated \d{4}-\d\d-\d\d \d\d:\d\d UTC")
    rebuilt = (out / "report.html").read_bytes()
    assert unstamped.sub(b"", rebuilt) == unstamped.sub(b"", built["report.html"])

    (docs / "statement_01.txt").unlink()
    (docs / "broken.pdf").write_bytes(b"not a pdf")
    third = run_pipeline(_params(out, docs))
    assert [e.path for e in third.errors] == [str(docs / "broken.pdf")]
    corpus = json.loads((out / "corpus.json").read_text())
    assert [e["path"] for e in corpus["errors"]] == [str(docs / "broken.pdf")], "new errors are published"

    _statements(tmp_path / "more", 4)
    fourth = run_pipeline(_params(out, docs, tmp_path / "more" / "statement_03.txt"))
    assert fourth.analysed == 1
    assert len(json.loads((out / "corpus.json").read_text())["documents"]) == 4
    (record,) = (out / ".cache").iterdir()
    assert record.name.startswith("publish-"), "saved batches' analyses and old outputs are not kept"


def test_each_run_publishes_a_summary_and_a_prevalence_table_artifact(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    first = run_pipeline(_params(tmp_path / "out"))
    second = run_pipeline(_params(tmp_path / "out"))  # its outputs come from the publishing cache
    with get_client(sync_client=True) as client:
        summaries = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["takeaways-run-summary"]))
        )
        tables = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["theme-prevalence"]))
        )
    for report, found in ((first, "analysed: 8"), (second, "unchanged: 8")):
        (summary,) = [a for a in summaries if f"run {report.run_id}" in str(a.data)]
        assert "documents found: 8" in str(summary.data) and found in str(summary.data)
        (table,) = [a for a in tables if a.flow_run_id == summary.flow_run_id]
        assert table.type == "table" and len(json.loads(str(table.data))) == 8, "a row per document"


def test_a_document_whose_analysis_raises_is_an_error_and_the_rest_complete(tmp_path: Path) -> None:
    """The fault is injected where analysis runs by default: in the run's analysing process."""
    report = run_pipeline(_params(tmp_path / "out"), worker_initializer=break_pdf_analysis)
    assert (report.analysed, report.failed) == (7, 1)
    (failure,) = [e for e in report.errors if e.code == "analysis_failed"]
    assert failure.path.endswith("statement_brief.pdf") and "simulated analysis bug" in failure.reason
    with _store(tmp_path / "out") as store:
        assert store.status()["documents"] == 7
        assert any("simulated" in e["reason"] for e in store.status()["last_errors"])


def test_a_batch_that_fails_as_a_whole_is_recorded_and_retried_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """spaCy raising, or a worker process dying, fails a whole batch: its documents become errors, the
    other batches are saved, and the next run analyses the failed ones."""
    out, docs = tmp_path / "out", _statements(tmp_path / "docs", 4)
    real = summarise_parsed

    def crash_on_statement_02(parsed, analyzer):
        parsed = list(parsed)
        if any(document.source.endswith("statement_02.txt") for document, _ in parsed):
            raise MemoryError("simulated worker failure")
        return real(parsed, analyzer)

    monkeypatch.setattr(analyse, "summarise_parsed", crash_on_statement_02)
    first = run_pipeline(_params(out, docs, batch_size=2), runner="thread")
    assert (first.analysed, first.failed) == (2, 2)
    assert all("its batch failed: MemoryError" in e.reason for e in first.errors)
    assert sorted(Path(e.path).name for e in first.errors) == ["statement_02.txt", "statement_03.txt"]

    monkeypatch.setattr(analyse, "summarise_parsed", real)
    second = run_pipeline(_params(out, docs, batch_size=2), runner="thread")
    assert (second.analysed, second.skipped, second.failed) == (2, 2, 0)
    with _store(out) as store:
        assert store.status()["documents"] == 4


def test_a_second_run_on_a_busy_store_fails_with_a_clear_message(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with _store(out) as holder, holder.run_lock(), pytest.raises(StoreBusy, match="another takeaways run"):
        run_pipeline(_params(out, lock_timeout_s=0.5))
    with _store(out) as store:
        assert store.status()["documents"] == 0


def test_a_foreign_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    foreign = tmp_path / "notes.db"
    foreign.write_bytes(b"this is not a database at all, but an analyst's notes" * 100)
    before = foreign.read_bytes()
    with pytest.raises(StoreError, match=r"notes\.db"):
        run_pipeline(_params(tmp_path / "out", db_url=f"sqlite:///{foreign}"))
    assert foreign.read_bytes() == before


def test_dask_runner_with_two_workers_gives_the_same_outputs(tmp_path: Path) -> None:
    docs = _statements(tmp_path / "docs", 6)
    local = run_pipeline(_params(tmp_path / "local", docs, batch_size=2))
    dask = run_pipeline(_params(tmp_path / "dask", docs, batch_size=2), runner="dask")
    assert local.analysed == dask.analysed == 6
    for path in (tmp_path / "local" / "summaries").glob("*.json"):
        assert json.loads(path.read_text()) == json.loads(
            (tmp_path / "dask" / "summaries" / path.name).read_text()
        )


def test_an_edited_file_replaces_its_earlier_version_everywhere(tmp_path: Path) -> None:
    """Same path, new text: the store, the summaries, the drafts and the corpus view hold the new version
    only, and the run's record says it replaced one."""
    out, docs = tmp_path / "out", _statements(tmp_path / "docs", 2)
    first = run_pipeline(_params(out, docs))
    edited = docs / "statement_00.txt"
    edited.write_text(edited.read_text() + "\nThe ministry added 5 million for school meals.\n")
    second = run_pipeline(_params(out, docs))
    assert (second.analysed, second.skipped, len(second.replaced)) == (1, 1, 1)
    with _store(out) as store:
        assert store.status()["documents"] == 2
        assert {s.source for s in store.summaries()} == {str(p) for p in sorted(docs.iterdir())}
        assert store.status()["last_runs"][0]["counts"]["replaced"] == 1
    (old,) = second.replaced
    assert old in first.takeaways and not (out / "summaries" / f"{old}.json").exists()
    assert not list((out / "drafts").glob(f"{old}.*"))
    corpus = json.loads((out / "corpus.json").read_text())
    assert len(corpus["documents"]) == 2 and old not in {d["id"] for d in corpus["documents"]}


def test_a_url_whose_document_was_not_stored_is_fetched_again_by_the_next_run(
    tmp_path: Path, monkeypatch
) -> None:
    """The page's ETag is kept only once its document is stored: after a failed analysis the next run
    asks for the page again (no If-None-Match, so no 304) and stores it, and only then a third run gets
    its 304."""
    from tests.support.http_server import Reply, local_server

    page = b"""<!doctype html><html lang="en"><head><title>Ministry news</title></head><body><main>
<h1>Rural schools get connected</h1><p>The ministry will connect 400 rural schools by 2026, and
partners will fund teacher training in every district.</p></main></body></html>"""

    def route(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return Reply(status=304)
        return Reply(body=page, headers={"Content-Type": "text/html", "ETag": '"v1"'})

    real = analyse.summarise
    broken = {"on": True}

    def fragile(document, doc, analyzer):
        if broken["on"]:
            raise RuntimeError("simulated analysis bug")
        return real(document, doc, analyzer)

    monkeypatch.setattr(analyse, "summarise", fragile)
    out = tmp_path / "out"
    with local_server({"/news": route}) as server:
        params = PipelineParameters(sources=[server.url("/news")], out_dir=str(out))
        first = run_pipeline(params, runner="thread")
        assert (first.analysed, first.failed) == (0, 1)
        broken["on"] = False
        second = run_pipeline(params, runner="thread")
        third = run_pipeline(params, runner="thread")
        conditional = [h.get("if-none-match") for _, h in server.requests]
    assert (second.analysed, second.failed) == (1, 0)
    assert conditional == [None, None, '"v1"'], "refetched after the failure; a 304 only once stored"
    assert (third.found, third.analysed) == (0, 0)
    with _store(out) as store:
        assert [s.source for s in store.summaries()] == [server.url("/news")]


def test_a_run_with_nothing_new_restores_deleted_drafts_and_clears_killed_runs_caches(tmp_path: Path) -> None:
    out, docs = tmp_path / "out", _statements(tmp_path / "docs", 2)
    run_pipeline(_params(out, docs))
    deleted = sorted((out / "drafts").glob("*.docx"))[0]
    deleted.unlink()
    orphan = out / ".cache" / ("0" * 64)  # an analysis cached by a batch of a run killed before saving it
    orphan.write_text("{}")
    again = run_pipeline(_params(out, docs))
    assert again.analysed == 0
    assert deleted.exists(), "the deleted draft is written again"
    assert not orphan.exists()
    assert [p.name[:8] for p in (out / ".cache").iterdir()] == ["publish-"]


def test_a_small_run_analyses_in_one_process_and_a_larger_one_in_one_per_core_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Starting an analysing process costs 3-4 s of CPU: a run over a few short documents must not pay
    it twice, and a run with enough text must use the cores it is allowed."""
    started: list[int] = []
    real_close = Engine.close

    def close(engine: Engine) -> None:
        started.append(len(engine._pools))
        real_close(engine)

    monkeypatch.setattr(Engine, "close", close)
    small = run_pipeline(_params(tmp_path / "small", _statements(tmp_path / "one", 1), n_process=2))
    monkeypatch.setattr(pipeline, "GROW_CHARS", 500)  # these statements are short: call 500 characters enough
    large = run_pipeline(_params(tmp_path / "large", _statements(tmp_path / "six", 6), n_process=2))
    assert (small.analysed, large.analysed) == (1, 6)
    assert started == [1, 2]


def test_an_analysing_process_that_dies_fails_its_batch_and_the_run_goes_on(tmp_path: Path) -> None:
    """A process killed mid-batch fails that batch only: it is replaced for the next batches (a dead one
    used to fail every later batch, and could leave the run waiting for a free process for ever)."""
    out, docs = tmp_path / "out", _statements(tmp_path / "docs", 6)
    params = _params(out, docs, batch_size=2, n_process=1)
    first = run_pipeline(params, worker_initializer=die_on_statement_02)
    assert (first.analysed, first.failed) == (4, 2)
    assert sorted(Path(e.path).name for e in first.errors) == ["statement_02.txt", "statement_03.txt"]
    second = run_pipeline(_params(out, docs, batch_size=2, n_process=1))
    assert (second.analysed, second.skipped, second.failed) == (2, 4, 0)
