"""The `takeaways ingest` and `takeaways run` commands: tables, JSON, outputs and exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.settings import get_settings
from nlp.document import Document

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


def test_run_on_the_samples_writes_a_document_json_per_document_and_the_corpus_view(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(SAMPLES), "--out", str(out)])
    assert result.exit_code == 0, result.output
    corpus = json.loads((out / "corpus.json").read_text())
    formats = sorted(d["format"] for d in corpus["documents"])
    assert formats == ["docx", "html", "json", "md", "pdf", "srt", "txt", "vtt"]
    assert corpus["errors"] == []
    for entry in corpus["documents"]:
        doc = Document.model_validate_json((out / "documents" / f"{entry['id']}.json").read_text())
        assert doc.id == entry["id"]
        assert all(doc.text[s.start : s.end].strip() for s in doc.segments)
    assert not list(out.rglob("*.tmp")), "no temporary files may be left behind"


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
