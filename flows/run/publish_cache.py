"""When a run may keep the output folder as the last run left it.

Publishing rebuilds the corpus view, the report and the schemas from every stored document, a cost
that grows with the store; a scheduled run that finds nothing new would pay it every time. The
``publish`` task is therefore cached by Prefect under a digest of everything it reads, and a run
refreshes that cache whenever an output file is missing. A rebuild from the same inputs would write
the same content; only the report's "generated" time would move."""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from flows.settings import Settings
from nlp.errors import IngestError

_RENDERERS = (
    "nlp.corpus", "nlp.topics", "nlp.drafts", "nlp.summary", "nlp.document",
    "flows.outputs.files", "flows.outputs.drafts", "flows.outputs.report",
)  # fmt: skip
"""The code that turns stored summaries into output files, and the models whose schemas are written:
a change to it means a rebuild."""
SCHEMA_NAMES = ("document", "document_summary", "corpus_summary")
"""``flows.outputs.files.SCHEMAS``, named here so that checking costs no import of scikit-learn."""


def publish_digest(settings: Settings, documents_digest: str, errors: Iterable[IngestError]) -> str:
    """The stored documents (as ``Store.documents_digest``), this run's errors, the taxonomy, the
    templates and the rendering code."""
    digest = hashlib.sha256(documents_digest.encode())
    for error in errors:
        digest.update(error.model_dump_json().encode())
    for path in [settings.taxonomy_path, *_files(settings.templates_dir), *map(_source, _RENDERERS)]:
        digest.update(f"\0{path.name}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def outputs_complete(out: Path, document_ids: Sequence[str], with_drafts: Collection[str] = ()) -> bool:
    """Every file publishing writes is there: the corpus view, the report, the schemas and a summary
    file per stored document (a document's summary file is written after its drafts)."""
    schemas = [out / "schema" / f"{name}.schema.json" for name in SCHEMA_NAMES]
    expected = [out / "corpus.json", out / "report.html", *schemas]
    return all(p.exists() for p in expected) and not missing_files(out, document_ids, with_drafts)


def missing_files(out: Path, document_ids: Sequence[str], with_drafts: Collection[str] = ()) -> list[str]:
    """The stored documents whose files are not all there: no summary file (a killed run did not finish
    writing them), or, for the documents ``with_drafts`` (they have takeaways), a draft deleted since."""
    return [
        i
        for i in document_ids
        if not (out / "summaries" / f"{i}.json").exists()
        or (i in with_drafts and not all((out / "drafts" / f"{i}{x}").exists() for x in (".md", ".docx")))
    ]


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _source(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"cannot find the source of {module}")
    return Path(spec.origin)
