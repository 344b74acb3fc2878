"""The `takeaways ingest` and `takeaways run` commands: tables, JSON, outputs and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from flows.settings import get_settings
from nlp.corpus import CorpusSummary
from nlp.summary import DocumentSummary
from nlp.training import ThemeModel

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _bad_and_good(tmp_path: Path) -> Path:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "garbage.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "good.txt").write_text("Chair: Welcome to the hearing.\nAna Lee: Thank you, Chair.\n"
                                       "Chair: Let's start with teacher pay.\n")  # fmt: skip
    return tmp_path


def test_ingest_prints_documents_and_rejections_and_exits_zero(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(_bad_and_good(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "1 document(s) found" in result.output and "transcript" in result.output
    assert "2 input(s) rejected" in result.output
    assert "the file is empty" in result.output and "binary data" in result.output


def test_ingest_json_lists_documents_and_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", "--json", str(_bad_and_good(tmp_path))])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    (doc,) = payload["documents"]
    assert doc["kind"] == "transcript" and doc["speakers"] == ["Chair", "Ana Lee"] and doc["segments"] == 3
    assert {Path(e["path"]).name: e["code"] for e in payload["errors"]} == {
        "empty.txt": "empty", "garbage.txt": "binary"}  # fmt: skip


def test_nothing_to_read_exits_non_zero_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    only_bad = runner.invoke(app, ["ingest", str(tmp_path)])
    assert only_bad.exit_code == 1 and "all 1 input(s) were rejected" in only_bad.output
    empty_dir = tmp_path / "none"
    empty_dir.mkdir()
    nothing = runner.invoke(app, ["ingest", str(empty_dir)])
    assert nothing.exit_code == 1 and "no input files found" in nothing.output


@pytest.mark.usefixtures("prefect_harness")
def test_run_on_the_samples_writes_summaries_corpus_view_and_schemas(
    tmp_path: Path, theme_model: ThemeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    monkeypatch.setattr("flows.cli.app.SHOWN_DOCUMENTS", 3)
    result = runner.invoke(app, ["run", str(SAMPLES), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Takeaways" in result.output
    assert "… and 5 more documents: see" in result.output, "the terminal shows a few, the report all"
    corpus = CorpusSummary.model_validate_json((out / "corpus.json").read_text())
    assert sorted(d.kind for d in corpus.documents).count("transcript") == 4
    assert corpus.errors == []
    assert set(corpus.themes) == set(theme_model.theme_ids)
    for entry in corpus.documents:
        summary = DocumentSummary.model_validate_json((out / "summaries" / f"{entry.id}.json").read_text())
        assert summary.model.theme_model == theme_model.version
        assert entry.takeaways == [t.theme for t in summary.takeaways]
        assert all(summary.text[s.start : s.end] == s.text for s in summary.sentences)
    for name in ("document", "document_summary", "corpus_summary"):
        schema = json.loads((out / "schema" / f"{name}.schema.json").read_text())
        assert "schema_version" in schema["properties"]
    assert not list(out.rglob("*.tmp")), "no temporary files may be left behind"
    assert (out / "report.html").exists() and len(list((out / "drafts").glob("*.md"))) == 8

    found = runner.invoke(app, ["search", "teacher shortages", "--out", str(out), "--top", "3", "--json"])
    assert found.exit_code == 0, found.output
    hits = json.loads(found.stdout)
    assert len(hits) == 3 and all("teacher" in h["text"].lower() for h in hits)
    for hit in hits:
        summary = DocumentSummary.model_validate_json(
            (out / "summaries" / f"{hit['document_id']}.json").read_text()
        )
        assert summary.text[hit["start"] : hit["end"]] == hit["text"]

    meeting = next(d for d in corpus.documents if d.kind == "transcript")
    told = runner.invoke(app, ["brief", meeting.id[:12], "--words", "80", "--out", str(out), "--json"])
    assert told.exit_code == 0, told.output
    brief = json.loads(told.stdout)
    summary = DocumentSummary.model_validate_json((out / "summaries" / f"{meeting.id}.json").read_text())
    assert brief["id"] == meeting.id and len(brief["sentences"]) >= 2
    assert sum(len(s["text"].split()) for s in brief["sentences"]) <= 80
    assert [s["start"] for s in brief["sentences"]] == sorted(s["start"] for s in brief["sentences"])
    assert all(summary.text[s["start"] : s["end"]] == s["text"] for s in brief["sentences"])
    unknown = runner.invoke(app, ["brief", "ffffffffffff", "--out", str(out)])
    assert unknown.exit_code == 1 and "No document id(s) start with 'ffffffffffff'" in unknown.output

    drafted = runner.invoke(app, ["draft", meeting.id[:12], "--out", str(out)])
    assert drafted.exit_code == 0, drafted.output
    assert "Wrote" in drafted.output and ".md" in drafted.output
    ambiguous = runner.invoke(app, ["draft", "", "--out", str(out)])  # every id starts with ""
    assert ambiguous.exit_code == 1 and "8 document id(s) start with ''" in ambiguous.output


def test_draft_and_brief_without_a_run_say_what_to_do(tmp_path: Path) -> None:
    for command in (["draft", "abc"], ["brief", "abc"]):
        result = runner.invoke(app, [*command, "--out", str(tmp_path)])
        said = " ".join(result.output.split())  # the error console wraps long lines
        assert result.exit_code == 1
        assert "No summaries in" in said and "run `takeaways run` first" in said


def test_themes_reads_jsonl_on_stdin_and_writes_jsonl(theme_model: ThemeModel) -> None:
    lines = [
        {"id": "t1", "text": "We are short of twelve thousand qualified maths teachers."},
        {"id": "t2", "text": "Can everyone hear me at the back?"},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines) + "\nnot json\n"
    result = runner.invoke(app, ["themes"], input=stdin)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [r["id"] for r in rows] == ["t1", "t2"]
    assert "teacher_capacity" in rows[0]["themes"] and rows[1]["themes"] == []
    assert set(rows[0]["scores"]) == set(theme_model.theme_ids)
    assert "line 3: expected a JSON object" in result.output


def test_eval_prints_per_theme_scores_and_writes_them(tmp_path: Path, theme_model: ThemeModel) -> None:
    result = runner.invoke(app, ["eval", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (
        "micro" in result.output and "teacher_capacity" in result.output and "patterns only" in result.output
    )
    report = json.loads((tmp_path / "eval.json").read_text())
    assert report["theme_model"] == theme_model.version
    assert set(report["variants"]["combined"]["per_theme"]) == set(theme_model.theme_ids)


def test_max_file_bytes_flag_and_env_var_override_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "doc.txt").write_text("A statement about school funding. " * 10)
    by_flag = runner.invoke(app, ["ingest", "--json", "--max-file-bytes", "100", str(tmp_path)])
    assert by_flag.exit_code == 1 and "over the 100 bytes limit" in by_flag.output
    monkeypatch.setenv("TAKEAWAYS_MAX_FILE_BYTES", "100")
    get_settings.cache_clear()
    by_env = runner.invoke(app, ["ingest", str(tmp_path)])
    assert by_env.exit_code == 1 and "too_large" in by_env.output


def test_prefect_sends_no_usage_data_and_prints_no_notice() -> None:
    """The README says telemetry is off: both the server's analytics and the client's (whose first run in
    a terminal would print "Prefect collects anonymous usage data")."""
    code = (
        "import os; os.environ.pop('DO_NOT_TRACK', None); os.environ.pop('CI', None)\n"
        "from flows.run.prefect_env import configure_prefect; configure_prefect()\n"
        "from prefect._internal.analytics.enabled import is_telemetry_enabled\n"
        "from prefect.settings import get_current_settings\n"
        "print(is_telemetry_enabled(), get_current_settings().server.analytics_enabled)"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CI", "DO_NOT_TRACK", "PREFECT_SERVER_ANALYTICS_ENABLED"}
    }
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_every_store_command_honours_the_store_url_setting(tmp_path: Path, monkeypatch) -> None:
    """`TAKEAWAYS_DB_URL` names the store for status, decisions and review alike (review and retraining
    used to ignore it and open out/takeaways.db)."""
    from flows.settings import Settings
    from flows.store import Store

    elsewhere = tmp_path / "elsewhere" / "store.db"
    with Store(f"sqlite:///{elsewhere}"):
        pass
    monkeypatch.setenv("TAKEAWAYS_DB_URL", f"sqlite:///{elsewhere}")
    monkeypatch.chdir(tmp_path)  # no out/ here: a command that ignored the setting would find no store
    get_settings.cache_clear()
    status = runner.invoke(app, ["status", "--json"])
    assert status.exit_code == 0 and json.loads(status.output)["store"] == str(elsewhere)
    exported = runner.invoke(app, ["decisions", "export"])
    assert exported.exit_code == 0 and exported.output == ""
    assert get_settings().store_url() == f"sqlite:///{elsewhere}"
    assert Settings(out_dir=tmp_path / "o").store_url("sqlite:///given.db") == "sqlite:///given.db"


def test_a_document_spacy_cannot_parse_fails_alone_with_its_reason_and_the_run_says_so(
    tmp_path: Path, monkeypatch, theme_model: ThemeModel
) -> None:
    """One document that breaks the parser no longer takes its batch down ("UpstreamTaskError" for every
    document, exit code 0): it fails alone, with the parser's reason, and the command exits 1."""
    import nlp.linguistic
    from nlp.linguistic import parse as real

    def fragile(documents, **kw):
        documents = list(documents)
        if any("POISON" in d.text for d in documents):
            raise ValueError("this text breaks the parser")
        return real(documents, **kw)

    monkeypatch.setattr(nlp.linguistic, "parse", fragile)
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, body in [
        ("a", "Teachers need training."),
        ("b", "POISON in the text."),
        ("c", "Schools need funds."),
    ]:
        (docs / f"{name}.txt").write_text(f"Note {name}\n\n{body} The ministry will act on it this year.\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(docs), "--out", str(out), "--task-runner", "thread"])
    assert result.exit_code == 1, result.output
    said = " ".join(result.output.split())
    assert "2 analysed" in said and "1 failed" in said
    assert "b.txt: spaCy could not parse it: ValueError: this text breaks the parser" in said
    assert len(list((out / "summaries").glob("*.json"))) == 2


def test_the_lock_wait_is_a_setting_and_a_flag(monkeypatch) -> None:
    from flows.cli.app import _parameters

    monkeypatch.setenv("TAKEAWAYS_LOCK_TIMEOUT_S", "7.5")
    get_settings.cache_clear()
    assert _parameters(["x.txt"], None, None, None, None).lock_timeout_s == 7.5
    assert _parameters(["x.txt"], None, None, None, None, None, 0.0).lock_timeout_s == 0.0


def test_an_empty_source_is_refused_not_read_as_the_current_folder(tmp_path: Path) -> None:
    """`takeaways run "$DOCS"` with DOCS unset used to read the whole current folder."""
    result = runner.invoke(app, ["ingest", str(SAMPLES), ""])
    assert result.exit_code == 2
    assert "empty source" in " ".join(result.output.split())
