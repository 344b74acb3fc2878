"""The theme model: reproducible training, safe persistence, evidence combination, held-out quality."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from spacy.language import Language

from flows.models.train import evaluate, real_items, training_items
from flows.settings import Settings
from nlp.model_files import ModelError
from nlp.patterns import PatternMatcher
from nlp.taxonomy import Taxonomy, load_taxonomy
from nlp.themes import LinearScorer, ThemeClassifier, decide
from nlp.training import (
    ThemeModel,
    indicator_matrix,
    load_model,
    metrics,
    save_model,
    sentence_hits,
    train,
    weak_labels,
)

PROBES = [
    "Teachers in remote schools have had no professional development for years.",
    "The ministry cut the school budget by a fifth.",
    "Half of rural schools still have no internet connection.",
    "Good morning, can everyone hear me?",
]


def test_training_twice_gives_identical_predictions(
    settings: Settings, taxonomy: Taxonomy, nlp: Language
) -> None:
    items = training_items(settings, taxonomy)[::3]
    first = train(items, taxonomy=taxonomy, nlp=nlp)
    second = train(items, taxonomy=taxonomy, nlp=nlp)
    hits = sentence_hits(nlp, PatternMatcher(nlp, taxonomy), PROBES)
    assert np.array_equal(first.probabilities(PROBES, hits)[0], second.probabilities(PROBES, hits)[0])
    assert first.version == second.version
    assert np.array_equal(first.thresholds, second.thresholds)


def test_probes_get_the_expected_themes(theme_model: ThemeModel, taxonomy: Taxonomy, nlp: Language) -> None:
    hits = sentence_hits(nlp, PatternMatcher(nlp, taxonomy), PROBES)
    decisions = theme_model.decide(PROBES, hits)
    assert "teacher_capacity" in decisions[0].scores
    assert "financing" in decisions[1].scores
    assert "digital_equity" in decisions[2].scores
    assert decisions[3].scores == {}


def test_saved_model_loads_with_identical_predictions_and_metadata(
    theme_model: ThemeModel, taxonomy: Taxonomy, nlp: Language, tmp_path: Path
) -> None:
    save_model(theme_model, tmp_path)
    loaded = load_model(tmp_path, taxonomy=taxonomy)
    hits = sentence_hits(nlp, PatternMatcher(nlp, taxonomy), PROBES)
    assert np.allclose(loaded.probabilities(PROBES, hits)[0], theme_model.probabilities(PROBES, hits)[0])
    meta = json.loads((tmp_path / "model.json").read_text())["metadata"]
    assert {"data_hash", "taxonomy_hash", "versions", "out_of_fold", "version"} <= set(meta)
    assert {"scikit-learn", "spacy", "numpy", "skops"} <= set(meta["versions"])


def test_a_model_for_another_taxonomy_or_with_untrusted_types_is_refused(
    theme_model: ThemeModel, taxonomy: Taxonomy, tmp_path: Path
) -> None:
    save_model(theme_model, tmp_path)
    other = taxonomy.model_copy(update={"themes": taxonomy.themes[:3]})
    with pytest.raises(ModelError, match="another taxonomy"):
        load_model(tmp_path, taxonomy=other)
    sio.dump({"payload": Path("/etc/passwd")}, tmp_path / "classifier.skops")
    with pytest.raises(ModelError, match="hash differs"):
        load_model(tmp_path, taxonomy=taxonomy)
    meta = json.loads((tmp_path / "model.json").read_text())
    meta["classifier_sha256"] = hashlib.sha256((tmp_path / "classifier.skops").read_bytes()).hexdigest()
    (tmp_path / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="does not trust"):
        load_model(tmp_path, taxonomy=taxonomy)
    with pytest.raises(ModelError, match="run `takeaways train`"):
        load_model(tmp_path / "nowhere", taxonomy=taxonomy)


def test_decide_records_why_each_theme_was_given() -> None:
    ids = ["a", "b", "c", "d"]
    model_p = np.array([0.9, 0.2, 0.9, 0.1])
    pattern_r = np.array([0.0, 0.8, 0.7, 0.0])
    thresholds = np.full(4, 0.5)
    decision = decide(ids, model_p, pattern_r, thresholds, model_thresholds=thresholds)
    assert decision.reasons == {"a": "model", "b": "pattern", "c": "both"}
    assert decision.scores["c"] == pytest.approx(1 - 0.1 * 0.3)


def test_on_real_held_out_sentences_the_model_beats_the_keyword_list(
    settings: Settings, theme_model: ThemeModel, nlp: Language, taxonomy: Taxonomy, shared_data: Path
) -> None:
    """On real sentences of documents never trained on, patterns + model beat the taxonomy's phrases
    used as a keyword list (numbers in benchmarks/RESULTS.md)."""
    evaluation = evaluate(settings.model_copy(update={"data_dir": shared_data}), theme_model, nlp=nlp)
    assert evaluation.where == "real sentences of the test split" and evaluation.n_sentences >= 500
    items = real_items(settings.model_copy(update={"data_dir": shared_data}), taxonomy, split="test")
    texts = [item.text for item in items]
    hits = sentence_hits(nlp, PatternMatcher(nlp, taxonomy), texts)
    keywords = metrics(
        indicator_matrix(items, taxonomy.ids),
        np.array([[int(bool(h.get(t))) for t in taxonomy.ids] for h in hits]),
        taxonomy.ids,
    )
    combined = evaluation.results["combined"]["micro"]["f1"]
    assert combined >= keywords["micro"]["f1"] + 0.03
    assert combined >= evaluation.results["rules"]["micro"]["f1"]


def test_another_taxonomy_trains_and_classifies(settings: Settings, nlp: Language, tmp_path: Path) -> None:
    path = tmp_path / "sdg.yaml"
    path.write_text(
        """themes:
  - id: quality_education
    label: Quality education
    definition: SDG 4
    patterns: [school, teacher, learning, literacy]
    examples: [Every child should finish primary school able to read., Teachers need better training.,
               Schools reopened after the holidays.]
  - id: climate_action
    label: Climate action
    definition: SDG 13
    patterns: [climate, emission, flood, drought, carbon]
    examples: [Emissions must fall by half this decade., Floods destroyed the harvest., We will tax carbon.]
"""
    )
    custom = settings.model_copy(update={"taxonomy_path": path, "models_dir": tmp_path / "models"})
    taxonomy = load_taxonomy(path)
    model = train(training_items(custom, taxonomy), taxonomy=taxonomy, nlp=nlp)
    texts = [
        "Droughts and floods are getting worse every year.",
        "Our teachers need support to teach reading.",
    ]
    decisions = model.decide(texts, sentence_hits(nlp, PatternMatcher(nlp, taxonomy), texts))
    assert list(decisions[0].scores) == ["climate_action"]
    assert list(decisions[1].scores) == ["quality_education"]


def test_weak_labels_come_only_from_phrases_that_proved_precise() -> None:
    precision = {"financing::budget": 0.9, "financing::cost": 0.5, "digital_equity::online": 0.85}
    hits = [
        {"financing": ["budget"]},
        {"financing": ["cost"]},
        {"financing": ["cost"], "digital_equity": ["online"]},
        {},
    ]
    texts = ["The budget rose.", "It cost a lot.", "Online costs fell.", "Hello."]
    weak = weak_labels(hits, texts, ["financing", "digital_equity"], precision)
    assert [(w.text, w.themes) for w in weak] == [
        ("The budget rose.", ["financing"]),
        ("Online costs fell.", ["digital_equity"]),
    ]


def test_the_linear_scorer_gives_exactly_the_classifiers_probabilities(
    theme_model: ThemeModel, settings: Settings
) -> None:
    texts = [json.loads(line)["text"] for line in settings.eval_labels.read_text().splitlines()[:300]]
    scorer = LinearScorer.of(theme_model.classifier)
    assert scorer is not None and theme_model.scorer is not theme_model.classifier
    expected = theme_model.classifier.predict_proba(texts)
    assert np.array_equal(scorer.predict_proba(texts), expected)
    for one in texts[:5]:  # one sentence at a time, as short documents have
        assert np.array_equal(scorer.predict_proba([one]), theme_model.classifier.predict_proba([one]))


def test_a_theme_without_a_calibrated_svm_falls_back_to_the_classifier() -> None:
    texts = ["Teachers need training.", "Budgets were cut.", "Schools reopened.", "Data is missing."] * 3
    Y = np.array([[1, 0], [0, 0], [1, 0], [0, 0]] * 3)  # the second theme has no positive example
    classifier = ThemeClassifier(calibration_cv=2).fit(texts, Y)
    assert LinearScorer.of(classifier) is None
