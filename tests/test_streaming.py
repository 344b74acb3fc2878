"""A run's memory does not grow with its inputs: documents stream through batch by batch, and publishing
reads the store a few documents at a time; the streamed outputs equal the all-in-memory ones."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import skops.io as sio

import flows.store.store as store_module
from flows.inputs import ingestion
from flows.outputs.report import render_site
from flows.run import pipeline
from flows.run.pipeline import IN_FLIGHT, PipelineParameters, run_pipeline
from flows.settings import Settings
from flows.store import Store
from nlp.corpus import aggregate
from nlp.taxonomy import Taxonomy
from nlp.training import ThemeModel

pytestmark = pytest.mark.usefixtures("prefect_harness", "theme_model")

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"


def _statements(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"statement_{i:02d}.txt").write_text(
            f"Statement {i}\n\nThe ministry will train {i + 10} teachers in district {i}. "
            f"Funding of {i + 3} million will connect {i + 2} rural schools to the internet.\n"
        )
    return folder


def test_inputs_are_read_batch_by_batch_while_earlier_batches_are_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, int]] = []
    read, save = ingestion.read_inputs, Store.save_versions

    def reading(items: Any, **kw: Any) -> Any:
        items = list(items)
        events.append(("read", len(items)))
        return read(items, **kw)

    def saving(self: Store, summaries: Any, **kw: Any) -> tuple[list[str], list[str]]:
        summaries = list(summaries)
        events.append(("save", len(summaries)))
        return save(self, summaries, **kw)

    monkeypatch.setattr("flows.run.pipeline.read_inputs", reading)
    monkeypatch.setattr(Store, "save_versions", saving)
    n = 3 * IN_FLIGHT
    docs = _statements(tmp_path / "docs", n)
    params = PipelineParameters(sources=[str(docs)], out_dir=str(tmp_path / "out"), batch_size=1)
    report = run_pipeline(params)

    assert (report.found, report.analysed) == (n, n)
    assert [kind for kind, _ in events].count("read") == n, "one ingest task per batch of inputs"
    held = most = 0
    for kind, count in events:
        held += count if kind == "read" else -count
        most = max(most, held)
    assert most <= IN_FLIGHT + 1, f"at most {IN_FLIGHT} batches in flight and one being read; held {most}"
    first_save = next(i for i, (kind, _) in enumerate(events) if kind == "save")
    last_read = max(i for i, (kind, _) in enumerate(events) if kind == "read")
    assert first_save < last_read, "the first batch is saved before the last inputs are read"


def test_publish_reads_the_store_in_small_chunks_and_matches_the_in_memory_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, taxonomy: Taxonomy
) -> None:
    out = tmp_path / "out"
    loads: list[int] = []
    load = store_module._load

    def counting(connection: Any, ids: list[str]) -> Any:
        loads.append(len(ids))
        return load(connection, ids)

    def everything(self: Store, ids: Any = None) -> Any:
        raise AssertionError("publish must not load every summary at once")

    with monkeypatch.context() as patch:
        patch.setattr(store_module, "_load", counting)
        patch.setattr(Store, "summaries", everything)
        (out / "summaries").mkdir(parents=True)
        run_pipeline(PipelineParameters(sources=[str(SAMPLES)], out_dir=str(out), batch_size=3))
    assert loads and max(loads) <= 3 < 8, "read back a chunk at a time, never the whole store"

    with Store(f"sqlite:///{out / 'takeaways.db'}") as store:
        summaries = store.summaries()
    corpus = json.loads((out / "corpus.json").read_text())
    expected = aggregate(summaries, labels={t.id: t.label for t in taxonomy.themes}, errors=[])
    assert corpus == json.loads(expected.model_dump_json())
    stamp = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")
    for relative, html in render_site(expected, summaries).items():
        assert stamp.sub("", (out / relative).read_text()) == stamp.sub("", html), relative


def test_a_summary_file_lost_after_its_batch_was_stored_is_written_again(tmp_path: Path) -> None:
    out = tmp_path / "out"
    params = PipelineParameters(sources=[str(SAMPLES)], out_dir=str(out))
    run_pipeline(params)
    lost = sorted((out / "summaries").glob("*.json"))[0]
    before = lost.read_text()
    lost.unlink()
    assert run_pipeline(params).analysed == 0
    assert lost.read_text() == before


def test_the_version_key_reads_the_model_metadata_without_loading_the_classifier(
    settings: Settings, theme_model: ThemeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the classifier was loaded")

    monkeypatch.setattr(sio, "load", refuse)
    monkeypatch.setattr(sio, "get_untrusted_types", refuse)
    key = pipeline.version_key(settings)
    assert key.startswith(f"{theme_model.version}:")
