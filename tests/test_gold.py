"""Labels on real text: spans that point into the data, refuse drift, and split by document."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language

from flows.models.train import label_hashes, training_items
from flows.settings import PROJECT_ROOT, Settings
from nlp.gold import (
    GoldError,
    load_documents,
    load_gold_sentences,
    load_gold_takeaways,
    load_theme_labels,
    load_units,
    make_span,
    resolve,
    source_text,
)
from nlp.patterns import PatternMatcher
from nlp.taxonomy import Taxonomy
from nlp.training import ThemeModel, load_model, sentence_hits

REAL = PROJECT_ROOT / "corpus" / "labels" / "real"


def _write(root: Path, name: str, text: str) -> None:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text, encoding="utf-8")
    source_text.cache_clear()


def test_a_span_reads_back_its_text_and_refuses_it_once_the_data_changed(tmp_path: Path) -> None:
    _write(tmp_path, "ungdc/a.txt", "We must fund schools. Teachers need training.\n")
    span = make_span(tmp_path, "ungdc/a.txt", None, 22, 45)
    assert resolve(span, tmp_path) == "Teachers need training."
    _write(tmp_path, "ungdc/a.txt", "We must fund schools. Teachers need housing.\n")
    with pytest.raises(GoldError, match=r"ungdc/a\.txt \[22:45\].*no longer matches"):
        resolve(span, tmp_path)


def test_a_span_into_a_meeting_turn_names_the_turn_when_it_drifts(tmp_path: Path) -> None:
    turns = [{"speaker": "A", "content": "Good morning."}, {"speaker": "B", "content": "The budget rose."}]
    _write(tmp_path, "qmsum/m.json", json.dumps({"meeting_transcripts": turns}))
    span = make_span(tmp_path, "qmsum/m.json", 1, 4, 10)
    assert resolve(span, tmp_path) == "budget"
    turns[1]["content"] = "The spending rose."
    _write(tmp_path, "qmsum/m.json", json.dumps({"meeting_transcripts": turns}))
    with pytest.raises(GoldError, match="turn 1"):
        resolve(span, tmp_path)
    with pytest.raises(GoldError, match="no meeting turn 7"):
        make_span(tmp_path, "qmsum/m.json", 7, 0, 1)


@given(text=st.text(min_size=1, max_size=200), cut=st.tuples(st.integers(0, 200), st.integers(0, 200)))
def test_offsets_address_exactly_the_span_in_any_text(tmp_path_factory: pytest.TempPathFactory, text: str,
                                                      cut: tuple[int, int]) -> None:  # fmt: skip
    root = tmp_path_factory.mktemp("data")
    (root / "t.txt").write_text(text, encoding="utf-8", newline="")
    source_text.cache_clear()
    decoded = (root / "t.txt").read_text(encoding="utf-8")
    start, end = sorted(min(c, len(decoded)) for c in cut)
    assert resolve(make_span(root, "t.txt", None, start, end), root) == decoded[start:end]


def test_theme_labels_are_validated_line_by_line(tmp_path: Path) -> None:
    ids = ["financing", "partnerships"]
    path = tmp_path / "themes.jsonl"
    path.write_text('{"id": "d1s001", "themes": ["financing"]}\n{"id": "d1s001", "themes": []}\n')
    with pytest.raises(GoldError, match="labelled twice"):
        load_theme_labels(path, ids)
    path.write_text('{"id": "d1s001", "themes": ["weather"]}\n')
    with pytest.raises(GoldError, match="unknown theme"):
        load_theme_labels(path, ids)
    path.write_text('{"id": "d1s001"}\n')
    with pytest.raises(GoldError, match=r"themes\.jsonl:1"):
        load_theme_labels(path, ids)


def test_the_real_labels_are_complete_and_split_by_document(taxonomy: Taxonomy) -> None:
    """Every unit has both passes and an adjudicated label; no document straddles two splits."""
    units = load_units(REAL)
    documents = load_documents(REAL)
    final = load_theme_labels(REAL / "themes.jsonl", taxonomy.ids)
    passes = [load_theme_labels(REAL / "passes" / p / "themes.jsonl", taxonomy.ids) for p in "ab"]
    ids = {u.id for u in units}
    assert len(ids) == len(units) >= 3000
    assert len({u.doc for u in units}) >= 150
    assert set(final) == ids == set(passes[0]) == set(passes[1])
    splits: dict[str, set[str]] = defaultdict(set)
    for unit in units:
        splits[unit.doc].add(unit.split)
        assert documents[unit.doc].split == unit.split
    assert all(len(s) == 1 for s in splits.values())
    assert sum(d.takeaways for d in documents.values()) >= 100


def test_every_real_label_still_points_at_its_text(shared_data: Path, taxonomy: Taxonomy) -> None:
    gold = load_gold_sentences(REAL, shared_data, taxonomy.ids)
    assert len(gold) >= 3000 and all(g.text for g in gold)
    takeaways = load_gold_takeaways(REAL, shared_data, taxonomy.ids)
    assert len(takeaways) >= 100
    assert all(2 <= len(t.takeaways) <= 4 for t in takeaways.values())


def test_the_shipped_model_is_the_one_its_metadata_describes(settings: Settings, taxonomy: Taxonomy) -> None:
    """A fresh clone runs the shipped model: it must fit the taxonomy, be the file its JSON hashes, and
    have learned from exactly the label files in the repo."""
    folder = settings.shipped_model_dir
    model = load_model(folder, taxonomy=taxonomy)
    meta = model.metadata
    assert meta["taxonomy_hash"] == taxonomy.digest()
    assert meta["labels"] == label_hashes(settings)
    assert meta["key_sentences"]["documents"] >= 50 and model.key_sentences is not None
    assert (folder / "classifier.skops").stat().st_size < 8_000_000


def test_the_shipped_model_counts_the_training_sentences_it_claims(
    shared_data: Path, settings: Settings, taxonomy: Taxonomy
) -> None:
    meta = load_model(settings.shipped_model_dir, taxonomy=taxonomy).metadata
    items = training_items(settings.model_copy(update={"data_dir": shared_data}), taxonomy)
    assert meta["n_train"] == len(items)
    assert sum(item.real for item in items) >= 2000


def test_training_from_the_repo_and_the_data_rebuilds_the_shipped_model(
    shared_data: Path, settings: Settings, taxonomy: Taxonomy, theme_model: ThemeModel, nlp: Language
) -> None:
    """`takeaways train --ship` is reproducible: the session's model, trained from the repo's labels and
    ../shared/data, is the shipped one (same version, thresholds, key-sentence weights, predictions)."""
    shipped = load_model(settings.shipped_model_dir, taxonomy=taxonomy)
    assert theme_model.version == shipped.version
    assert np.array_equal(theme_model.thresholds, shipped.thresholds)
    assert theme_model.key_sentences == shipped.key_sentences
    probes = ["Teachers need training to use the new tablets.", "Thank you, Mr. President."]
    hits = sentence_hits(nlp, PatternMatcher(nlp, taxonomy), probes)
    assert np.allclose(theme_model.probabilities(probes, hits)[0], shipped.probabilities(probes, hits)[0])
