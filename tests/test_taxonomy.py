"""The taxonomy file: the default one is valid and complete; mistakes are rejected with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.taxonomy import Taxonomy, TaxonomyError, load_taxonomy

DESIGN_THEMES = [
    "partnerships", "financing", "digital_equity", "teacher_capacity", "equity_inclusion", "data_evidence",
    "learning_outcomes", "skills_lifelong", "crisis_resilience", "policy_governance",
]  # fmt: skip


def test_default_taxonomy_has_the_design_themes_with_patterns_and_examples(taxonomy: Taxonomy) -> None:
    assert taxonomy.ids == DESIGN_THEMES
    for theme in taxonomy.themes:
        assert theme.label and theme.definition
        assert len(theme.patterns) >= 15, theme.id
        assert len(theme.examples) >= 3, theme.id


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(text)
    return path


def test_unknown_keys_are_rejected_naming_the_key_and_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "themes:\n  - id: climate\n    label: Climate\n    definition: d\n    colour: green\n"
    )
    with pytest.raises(TaxonomyError, match=r"taxonomy\.yaml.*themes\.0\.colour.*Extra inputs"):
        load_taxonomy(path)


def test_duplicate_ids_bad_ids_and_bad_yaml_are_rejected(tmp_path: Path) -> None:
    dup = "themes:\n" + "  - {id: a, label: A, definition: d}\n" * 2
    with pytest.raises(TaxonomyError, match="duplicate theme ids: a"):
        load_taxonomy(_write(tmp_path, dup))
    with pytest.raises(TaxonomyError, match=r"themes\.0\.id"):
        load_taxonomy(_write(tmp_path, "themes:\n  - {id: Bad Id, label: A, definition: d}\n"))
    with pytest.raises(TaxonomyError, match="not valid YAML"):
        load_taxonomy(_write(tmp_path, "themes: [\n"))
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "missing.yaml")


def test_digest_changes_with_content(taxonomy: Taxonomy) -> None:
    changed = taxonomy.model_copy(
        update={
            "themes": [taxonomy.themes[0].model_copy(update={"patterns": ["alliance"]}), *taxonomy.themes[1:]]
        }
    )
    assert changed.digest() != taxonomy.digest()
    assert Taxonomy.model_validate(taxonomy.model_dump()).digest() == taxonomy.digest()
