"""The analysts' DataFrames: a store and an output folder give the same frames; exports read back."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from spacy.language import Language

from flows.outputs.files import write_corpus, write_summaries
from flows.outputs.frames import Frames, export_frames, open_frames
from flows.store import Store, StoreError
from nlp.analyse import Analyzer, analyse
from nlp.corpus import aggregate
from nlp.errors import ErrorCode, IngestError
from nlp.ingest import read_document
from nlp.summary import DocumentSummary
from nlp.taxonomy import Taxonomy
from nlp.training import ThemeModel

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"
ERRORS = [
    IngestError(path="inbox/empty.txt", code=ErrorCode.EMPTY, reason="the file is empty"),
    IngestError(path="inbox/scan.pdf", code=ErrorCode.NO_TEXT_LAYER, reason="no text layer"),
]


@pytest.fixture(scope="module")
def summaries(nlp: Language, taxonomy: Taxonomy, theme_model: ThemeModel) -> list[DocumentSummary]:
    analyzer = Analyzer(nlp=nlp, taxonomy=taxonomy, model=theme_model)
    documents = [read_document(p.read_bytes(), source=p.name) for p in sorted(SAMPLES.iterdir())]
    return [s for s in analyse(documents, analyzer=analyzer) if isinstance(s, DocumentSummary)]


@pytest.fixture(scope="module")
def out_dir(
    tmp_path_factory: pytest.TempPathFactory, summaries: list[DocumentSummary], taxonomy: Taxonomy
) -> Path:
    """An output folder as a run writes it, and a store holding the same run."""
    out = tmp_path_factory.mktemp("out")
    write_summaries(summaries, out)
    write_corpus(aggregate(summaries, labels={t.id: t.label for t in taxonomy.themes}, errors=ERRORS), out)
    with Store(f"sqlite:///{out / 'store.db'}") as store:
        run_id = store.start_run({})
        store.save_summaries(summaries, run_id=run_id)
        store.record_errors(run_id, ERRORS)
        store.finish_run(run_id, "completed", {"documents": len(summaries)})
    return out


@pytest.fixture
def from_store(out_dir: Path) -> Frames:
    return open_frames(f"sqlite:///{out_dir / 'store.db'}")


@pytest.fixture
def from_folder(out_dir: Path) -> Frames:
    return open_frames(out_dir)


def test_store_and_output_folder_give_the_same_frames(from_store: Frames, from_folder: Frames) -> None:
    store_tables, folder_tables = from_store.tables(), from_folder.tables()
    assert list(store_tables) == list(folder_tables)
    assert {
        "documents",
        "sentences",
        "sentence_themes",
        "takeaways",
        "evidence",
        "quotes",
        "entities",
        "errors",
        "prevalence_by_document",
        "prevalence_by_date",
        "prevalence_by_speaker",
    } <= set(store_tables)
    for name, frame in store_tables.items():
        assert len(frame) > 0, name
        pd.testing.assert_frame_equal(frame, folder_tables[name], obj=name)


def test_frames_hold_what_the_summaries_say(from_store: Frames, summaries: list[DocumentSummary]) -> None:
    documents = from_store.documents()
    assert sorted(documents["document_id"]) == sorted(s.id for s in summaries)
    assert str(documents["date"].dtype).startswith("datetime64")
    sentences = from_store.sentences()
    assert len(sentences) == sum(len(s.sentences) for s in summaries)
    themes = from_store.sentence_themes()
    assert len(themes) == sum(len(r.themes) for s in summaries for r in s.sentences)
    # every evidence span is verbatim in its document's text
    texts = dict(zip(documents["document_id"], documents["text"], strict=True))
    joined = from_store.takeaways(evidence=True)
    with_evidence = joined.dropna(subset=["evidence_i"])
    assert len(with_evidence) == sum(len(t.evidence) for s in summaries for t in s.takeaways)
    for row in with_evidence.itertuples():
        assert texts[row.document_id][row.evidence_start : row.evidence_end] == row.evidence_text
    plain = from_store.takeaways()
    assert len(joined) == len(with_evidence) + sum(
        1 for s in summaries for t in s.takeaways if not t.evidence
    )
    assert list(plain.columns) == list(joined.columns[: len(plain.columns)])


def test_prevalence_agrees_with_corpus_json(from_store: Frames, out_dir: Path) -> None:
    corpus = json.loads((out_dir / "corpus.json").read_text())
    expected = {
        "document": {e["id"]: e["prevalence"] for e in corpus["documents"]},
        "date": corpus["prevalence_by_date"],
        "speaker": corpus["prevalence_by_speaker"],
    }
    for by, rows in expected.items():
        pivot = from_store.prevalence(by)  # type: ignore[arg-type]
        assert sorted(pivot.index) == sorted(rows), by
        assert ((pivot >= 0) & (pivot <= 1)).all().all()
        for key, shares in rows.items():
            for theme in pivot.columns:
                assert pivot.loc[key, theme] == pytest.approx(shares.get(theme, 0.0), abs=1e-4), (
                    by,
                    key,
                    theme,
                )
    assert len(expected["date"]) > 1
    assert len(expected["speaker"]) > 1
    with pytest.raises(ValueError, match="by must be one of"):
        from_store.prevalence("week")  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["parquet", "csv", "json"])
def test_export_writes_files_pandas_reads_back(from_store: Frames, tmp_path: Path, fmt: str) -> None:
    tables = from_store.tables()
    paths = export_frames(from_store, tmp_path / "exports", fmt)  # type: ignore[arg-type]
    assert sorted(p.name for p in paths) == sorted(f"{name}.{fmt}" for name in tables)
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == sorted(
        p.name for p in paths
    )  # no temps
    readers = {"parquet": pd.read_parquet, "csv": pd.read_csv, "json": pd.read_json}
    for path in paths:
        back = readers[fmt](path)
        frame = tables[path.stem]
        assert list(back.columns) == [str(c) for c in frame.columns], path.name
        assert len(back) == len(frame), path.name
    takeaways = readers[fmt](tmp_path / "exports" / f"takeaways.{fmt}")
    keyphrases = takeaways["keyphrases"].iloc[0]
    if fmt == "csv":
        keyphrases = json.loads(keyphrases)
    assert list(keyphrases) == tables["takeaways"]["keyphrases"].iloc[0]
    if fmt == "parquet":
        back = pd.read_parquet(tmp_path / "exports" / "sentences.parquet")
        pd.testing.assert_frame_equal(back, tables["sentences"], check_dtype=False)
    with pytest.raises(ValueError, match="fmt must be one of"):
        export_frames(from_store, tmp_path, "xlsx")  # type: ignore[arg-type]


def test_open_frames_locations(out_dir: Path, tmp_path: Path) -> None:
    with open_frames(out_dir / "store.db") as frames:  # a .db file
        assert len(frames.documents()) > 0
    only_store = tmp_path / "run"
    only_store.mkdir()
    (only_store / "takeaways.db").write_bytes((out_dir / "store.db").read_bytes())
    with open_frames(only_store) as frames:  # an output folder with a store and no summaries
        assert len(frames.documents()) > 0
    with pytest.raises(FileNotFoundError):
        open_frames(tmp_path / "nowhere")
    with pytest.raises(StoreError, match="no takeaways store"):
        open_frames(f"sqlite:///{tmp_path / 'missing.db'}")
    assert not (tmp_path / "missing.db").exists()
