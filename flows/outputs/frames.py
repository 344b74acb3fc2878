"""Takeaways as pandas DataFrames: the Python API for analysts in notebooks.

>>> from flows.outputs.frames import open_frames, export_frames
>>> frames = open_frames("out")                          # an output folder, or
>>> frames = open_frames("sqlite:///out/takeaways.db")   # a store URL (PostgreSQL too)
>>> frames.takeaways(evidence=True)                      # one row per supporting sentence
>>> frames.prevalence(by="date")                         # month x theme: share of candidate sentences
>>> export_frames(frames, "exports", "parquet")          # one file per frame, for pandas or DuckDB

Both kinds of location give the same frames, column for column: an output folder's summaries are cut
into exactly the rows the store would hold (:func:`flows.store.store.summary_rows`), and both are
shaped by one specification below. Keys join across frames: ``document_id`` everywhere,
``sentence_i`` between sentences and sentence themes, ``takeaway_i`` between takeaways and evidence.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, get_args

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import select

from flows.atomic import write_bytes_atomic
from flows.store import models as m
from flows.store.db import StoreError
from flows.store.store import Store, summary_rows
from nlp.corpus import CorpusSummary
from nlp.summary import DocumentSummary

By = Literal["document", "date", "speaker"]
ExportFormat = Literal["parquet", "csv", "json"]

STR = "str"
INT = "int64"
NULLABLE_INT = "Int64"
FLOAT = "float64"
BOOL = "bool"
DATE = "datetime64[ns]"
OBJECT = "object"  # lists (speakers, keyphrases), kept as Python lists
SPAN = {"text": STR, "start": INT, "end": INT}


@dataclass(frozen=True)
class _Spec:
    """A frame: the table it comes from, its columns (renamed from the table's) with dtypes, its order."""

    table: type[m.Base]
    columns: dict[str, str]
    order: tuple[str, ...]
    renames: dict[str, str] = field(default_factory=dict)


SPECS: dict[str, _Spec] = {
    "documents": _Spec(
        m.Document,
        {
            "document_id": STR,
            "source": STR,
            "title": STR,
            "format": STR,
            "kind": STR,
            "date": DATE,
            "speakers": OBJECT,
            "keyphrases": OBJECT,
            "spacy_pipeline": STR,
            "theme_model": STR,
            "taxonomy": STR,
            "analysed_with": STR,
            "text": STR,
        },
        ("source", "document_id"),
        {"id": "document_id"},
    ),
    "segments": _Spec(
        m.Segment,
        {
            "document_id": STR,
            "i": INT,
            "speaker": STR,
            "start": INT,
            "end": INT,
            "start_s": FLOAT,
            "end_s": FLOAT,
            "kind": STR,
            "source_index": NULLABLE_INT,
        },
        ("document_id", "i"),
    ),
    "sentences": _Spec(
        m.Sentence,
        {"document_id": STR, "sentence_i": INT, **SPAN, "speaker": STR, "candidate": BOOL, "reviewed": BOOL},
        ("document_id", "sentence_i"),
        {"i": "sentence_i"},
    ),
    "sentence_themes": _Spec(
        m.SentenceTheme,
        {"document_id": STR, "sentence_i": INT, "theme": STR, "probability": FLOAT, "reason": STR},
        ("document_id", "sentence_i", "theme"),
    ),
    "takeaways": _Spec(
        m.Takeaway,
        {
            "document_id": STR,
            "takeaway_i": INT,
            "rank": INT,
            "theme": STR,
            "theme_label": STR,
            **SPAN,
            "speaker": STR,
            "score": FLOAT,
            "keyphrases": OBJECT,
            "reason": STR,
        },
        ("document_id", "takeaway_i"),
        {"i": "takeaway_i"},
    ),
    "evidence": _Spec(
        m.Evidence,
        {"document_id": STR, "takeaway_i": INT, "i": INT, **SPAN, "speaker": STR},
        ("document_id", "takeaway_i", "i"),
    ),
    "quotes": _Spec(
        m.Quote,
        {
            "document_id": STR,
            "i": INT,
            **SPAN,
            "speaker": STR,
            "speaker_start": NULLABLE_INT,
            "speaker_end": NULLABLE_INT,
        },
        ("document_id", "i"),
    ),
    "entities": _Spec(m.Entity, {"document_id": STR, "i": INT, **SPAN, "label": STR}, ("document_id", "i")),
}
ERROR_COLUMNS = {"path": STR, "code": STR, "reason": STR}

Rows = Callable[[type[m.Base]], list[dict[str, Any]]]


class Frames:
    """The tables of one store or output folder as DataFrames; each call reads the source afresh."""

    def __init__(
        self,
        where: str,
        rows: Rows,
        errors: Callable[[], list[dict[str, Any]]],
        close: Callable[[], None] = lambda: None,
    ) -> None:
        self.where = where
        self._rows = rows
        self._errors = errors
        self._close = close

    def __repr__(self) -> str:
        return f"Frames({self.where!r})"

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Frames:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _frame(self, name: str) -> pd.DataFrame:
        spec = SPECS[name]
        table_columns = [column.name for column in spec.table.__table__.columns]
        frame = pd.DataFrame.from_records(self._rows(spec.table), columns=table_columns)
        frame = frame.rename(columns=spec.renames)[list(spec.columns)]
        return _typed(frame, spec.columns).sort_values(list(spec.order), kind="stable").reset_index(drop=True)

    def documents(self) -> pd.DataFrame:
        """One row per document: source, title, kind, date, speakers, model versions, text."""
        return self._frame("documents")

    def segments(self) -> pd.DataFrame:
        """Speaker turns and paragraphs as ingested, with character offsets and media times."""
        return self._frame("segments")

    def sentences(self) -> pd.DataFrame:
        """One row per sentence; ``candidate`` is False for back-channel and logistics."""
        return self._frame("sentences")

    def sentence_themes(self) -> pd.DataFrame:
        """One row per (sentence, theme) with the probability and why it was given."""
        return self._frame("sentence_themes")

    def takeaways(self, *, evidence: bool = False) -> pd.DataFrame:
        """One row per takeaway; with ``evidence=True``, one row per supporting sentence instead
        (``evidence_*`` columns; a takeaway without evidence keeps one row with them empty)."""
        takeaways = self._frame("takeaways")
        if not evidence:
            return takeaways
        support = self.evidence().rename(
            columns={c: f"evidence_{c}" for c in ("i", "text", "start", "end", "speaker")}
        )
        joined = takeaways.merge(support, on=["document_id", "takeaway_i"], how="left")
        return joined.astype(
            {"evidence_i": NULLABLE_INT, "evidence_start": NULLABLE_INT, "evidence_end": NULLABLE_INT}
        )

    def evidence(self) -> pd.DataFrame:
        """The supporting sentences of each takeaway (join on ``document_id``, ``takeaway_i``)."""
        return self._frame("evidence")

    def quotes(self) -> pd.DataFrame:
        return self._frame("quotes")

    def entities(self) -> pd.DataFrame:
        return self._frame("entities")

    def errors(self) -> pd.DataFrame:
        """Inputs rejected by the last run (``corpus.json`` of a folder; the newest run of a store)."""
        frame = pd.DataFrame.from_records(self._errors(), columns=list(ERROR_COLUMNS))
        return _typed(frame, ERROR_COLUMNS).sort_values("path", kind="stable").reset_index(drop=True)

    def prevalence(self, by: By = "document") -> pd.DataFrame:
        """Theme prevalence: rows are documents, months (``YYYY-MM``) or speakers, columns themes.

        A value is the share of candidate sentences carrying the theme, as in ``corpus.json``: per
        document; per speaker over all their sentences; per month the mean of its documents' shares,
        so one long transcript does not outweigh the other meetings of that month.
        """
        if by not in get_args(By):
            raise ValueError(f"by must be one of {', '.join(get_args(By))}, not {by!r}")
        sentences = self.sentences()
        candidates = sentences[sentences["candidate"]]
        themes = self.sentence_themes()
        themes = themes[themes["probability"].notna()]
        hits = candidates.merge(
            themes[["document_id", "sentence_i", "theme"]], on=["document_id", "sentence_i"]
        )
        if by == "speaker":
            spoken = candidates[candidates["speaker"].fillna("") != ""]
            hits = hits[hits["speaker"].fillna("") != ""]
            return _shares(hits, spoken.groupby("speaker").size(), "speaker")
        documents = self.documents()
        totals = candidates.groupby("document_id").size().reindex(documents["document_id"], fill_value=0)
        shares = _shares(hits, totals.clip(lower=1), "document_id")
        if by == "document":
            return shares
        dated = documents.dropna(subset=["date"])
        months = pd.Series(
            dated["date"].dt.strftime("%Y-%m").to_numpy(), index=dated["document_id"], name="month"
        )
        by_month = shares.loc[months.index].groupby(months).mean()
        by_month.columns.name = "theme"
        return by_month

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every frame by name, prevalence pivots flattened: what :func:`export_frames` writes."""
        tables = {name: self._frame(name) for name in SPECS}
        tables["errors"] = self.errors()
        for by in get_args(By):
            pivot = self.prevalence(by)
            pivot.columns.name = None
            tables[f"prevalence_by_{by}"] = pivot.reset_index()
        return tables


def _typed(frame: pd.DataFrame, dtypes: dict[str, str]) -> pd.DataFrame:
    return frame.astype({name: dtype for name, dtype in dtypes.items() if dtype != OBJECT})


def _shares(hits: pd.DataFrame, totals: pd.Series, key: str) -> pd.DataFrame:
    counts = hits.groupby([key, "theme"]).size().unstack("theme", fill_value=0)
    counts = counts.reindex(index=totals.index, columns=sorted(counts.columns), fill_value=0)
    shares = counts.div(totals, axis=0).astype(FLOAT)
    shares.index.name = key
    shares.columns.name = "theme"
    return shares


def open_frames(location: str | Path | Store) -> Frames:
    """Frames of a store (URL, ``.db`` file or :class:`Store`) or of an output folder.

    A folder is read from ``summaries/*.json`` and ``corpus.json``; a folder with no summaries but a
    ``takeaways.db`` is read from that store. Nothing is created: a missing store is an error.
    """
    if isinstance(location, Store):
        return _store_frames(location, owned=False)
    if isinstance(location, str) and "://" in location:
        return _store_frames(Store(location, create=False), owned=True)
    path = Path(location).expanduser()
    if path.is_file():
        return _store_frames(Store(f"sqlite:///{path.resolve()}", create=False), owned=True)
    if not path.is_dir():
        raise FileNotFoundError(f"no output folder or store at {path}")
    if not (path / "summaries").is_dir() and (path / "takeaways.db").is_file():
        return _store_frames(
            Store(f"sqlite:///{(path / 'takeaways.db').resolve()}", create=False), owned=True
        )
    return _folder_frames(path)


def _store_frames(store: Store, *, owned: bool) -> Frames:
    def rows(table: type[m.Base]) -> list[dict[str, Any]]:
        with store.engine.connect() as connection:
            return [row._asdict() for row in connection.execute(select(table.__table__))]

    def errors() -> list[dict[str, Any]]:
        last: list[dict[str, Any]] = store.status(last_runs=1)["last_errors"]
        return last

    return Frames(store.where, rows, errors, store.close if owned else lambda: None)


def _folder_frames(folder: Path) -> Frames:
    summaries = [_read_summary(path) for path in sorted((folder / "summaries").glob("*.json"))]
    by_table: dict[type[m.Base], list[dict[str, Any]]] = {}
    for summary in summaries:
        for table, rows in summary_rows(summary).items():
            by_table.setdefault(table, []).extend(rows)
    corpus_path = folder / "corpus.json"
    errors: list[dict[str, Any]] = []
    if corpus_path.is_file():
        corpus = CorpusSummary.model_validate_json(corpus_path.read_bytes())
        errors = [e.model_dump(mode="json") for e in corpus.errors]
    return Frames(str(folder), lambda table: by_table.get(table, []), lambda: errors)


def _read_summary(path: Path) -> DocumentSummary:
    try:
        return DocumentSummary.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        raise StoreError(f"{path} is not a document summary this version can read: {exc}") from exc


def export_frames(frames: Frames, out_dir: str | Path, fmt: ExportFormat = "parquet") -> list[Path]:
    """Write every frame to ``out_dir/<name>.<fmt>``, each file atomically; the paths written.

    CSV cells holding lists (speakers, keyphrases) are JSON text; Parquet keeps them as lists.
    """
    if fmt not in get_args(ExportFormat):
        raise ValueError(f"fmt must be one of {', '.join(get_args(ExportFormat))}, not {fmt!r}")
    paths = []
    for name, frame in frames.tables().items():
        path = Path(out_dir) / f"{name}.{fmt}"
        write_bytes_atomic(path, _encode(frame, fmt))
        paths.append(path)
    return paths


def _encode(frame: pd.DataFrame, fmt: ExportFormat) -> bytes:
    if fmt == "parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False, engine="pyarrow")
        return buffer.getvalue()
    if fmt == "csv":
        flat = frame.copy()
        for name in flat.columns[flat.dtypes == OBJECT]:
            flat[name] = flat[name].map(lambda v: json.dumps(v) if isinstance(v, list | dict) else v)
        text: str = flat.to_csv(index=False)
        return text.encode("utf-8")
    records: str = frame.to_json(orient="records", date_format="iso", force_ascii=False)
    return records.encode("utf-8")
