"""What decides whether a run rebuilds the output folder: the digest of publishing's inputs, and
whether every output file is there."""

from __future__ import annotations

import shutil
from pathlib import Path

from flows.outputs import files as outputs
from flows.run.publish_cache import SCHEMA_NAMES, outputs_complete, publish_digest
from flows.settings import Settings
from nlp.errors import ErrorCode, IngestError


def _settings(tmp_path: Path) -> Settings:
    templates = tmp_path / "templates"
    shutil.copytree(Settings().templates_dir, templates)
    return Settings(out_dir=tmp_path / "out", templates_dir=templates)


def test_the_digest_moves_with_documents_errors_and_templates_and_is_stable_otherwise(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    error = IngestError(path="a.pdf", code=ErrorCode.MALFORMED, reason="not a PDF")
    first = publish_digest(settings, "documents-1", [error])
    assert publish_digest(settings, "documents-1", [error]) == first
    assert publish_digest(settings, "documents-2", [error]) != first
    assert publish_digest(settings, "documents-1", []) != first

    template = next(p for p in sorted(settings.templates_dir.rglob("*")) if p.is_file())
    template.write_bytes(template.read_bytes() + b"\n")
    assert publish_digest(settings, "documents-1", [error]) != first


def test_outputs_are_complete_only_with_every_file_and_a_summary_per_stored_document(tmp_path: Path) -> None:
    out = tmp_path / "out"
    schemas = [f"schema/{name}.schema.json" for name in SCHEMA_NAMES]
    for name in ["corpus.json", "report.html", *schemas, "summaries/a.json"]:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text("{}")
    assert outputs_complete(out, ["a"])
    assert not outputs_complete(out, ["a", "b"]), "a stored document without its summary file"
    (out / "schema" / "document.schema.json").unlink()
    assert not outputs_complete(out, ["a"])


def test_the_schemas_checked_are_the_schemas_written() -> None:
    assert set(SCHEMA_NAMES) == set(outputs.SCHEMAS)
