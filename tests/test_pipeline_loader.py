"""The spaCy loader: the pinned English pipeline by default, a loud blank fallback otherwise."""

from __future__ import annotations

import pytest

from nlp.pipeline import BlankPipelineWarning, candidate_packages, load_pipeline


def test_default_model_is_a_trained_english_pipeline_loaded_once() -> None:
    nlp = load_pipeline("en_core_web_sm", exclude=("parser",))
    assert nlp.meta["takeaways_package"] in candidate_packages("en_core_web_sm")
    assert {"ner", "tagger", "lemmatizer"} <= set(nlp.pipe_names) and "parser" not in nlp.pipe_names
    doc = nlp("Borhene Chakroun spoke at UNESCO in Paris on 25 March.")
    assert {"PERSON", "ORG", "GPE", "DATE"} & {ent.label_ for ent in doc.ents}
    assert load_pipeline("en_core_web_sm", exclude=("parser",)) is nlp


def test_missing_model_falls_back_to_blank_english_with_a_warning() -> None:
    with pytest.warns(BlankPipelineWarning, match="BLANK English pipeline"):
        nlp = load_pipeline("xx_not_installed_pipeline")
    assert nlp.lang == "en" and nlp.pipe_names == ["sentencizer"]
    assert [s.text for s in nlp("One sentence. Another one.").sents] == ["One sentence.", "Another one."]
