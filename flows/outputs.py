"""Write the output folder: one summary per document, the corpus view and the JSON Schemas.

Every file is replaced atomically, so a crash never leaves a half-written one behind.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from flows.atomic import write_text_atomic
from nlp.corpus import CorpusSummary
from nlp.document import Document
from nlp.summary import DocumentSummary

SCHEMAS: dict[str, type[BaseModel]] = {
    "document": Document,
    "document_summary": DocumentSummary,
    "corpus_summary": CorpusSummary,
}


def write_summaries(summaries: Sequence[DocumentSummary], out_dir: Path) -> list[Path]:
    paths = []
    for summary in summaries:
        path = out_dir / "summaries" / f"{summary.id}.json"
        write_text_atomic(path, summary.model_dump_json(indent=1))
        paths.append(path)
    return paths


def write_corpus(corpus: CorpusSummary, out_dir: Path) -> Path:
    path = out_dir / "corpus.json"
    write_text_atomic(path, corpus.model_dump_json(indent=1))
    return path


def write_schemas(out_dir: Path) -> list[Path]:
    paths = []
    for name, model in SCHEMAS.items():
        path = out_dir / "schema" / f"{name}.schema.json"
        write_text_atomic(path, json.dumps(model.model_json_schema(), indent=1))
        paths.append(path)
    return paths
