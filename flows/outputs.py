"""Write the output folder: one JSON per document and the corpus view, each file replaced atomically."""

from __future__ import annotations

import json
from pathlib import Path

from flows.atomic import write_text_atomic
from flows.ingestion import IngestResult
from flows.report import result_as_json
from nlp.document import SCHEMA_VERSION


def write_outputs(result: IngestResult, out_dir: Path) -> list[Path]:
    """Write ``documents/<id>.json`` for each document and ``corpus.json``; return the paths written."""
    written = []
    for doc in result.documents:
        path = out_dir / "documents" / f"{doc.id}.json"
        write_text_atomic(path, doc.model_dump_json(indent=1))
        written.append(path)
    corpus = {"schema_version": SCHEMA_VERSION, **result_as_json(result)}
    corpus_path = out_dir / "corpus.json"
    write_text_atomic(corpus_path, json.dumps(corpus, indent=1, ensure_ascii=False))
    written.append(corpus_path)
    return written
