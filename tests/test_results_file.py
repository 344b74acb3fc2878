"""Each benchmark rewrites only its own section of RESULTS.md."""

from __future__ import annotations

from pathlib import Path

from benchmarks.results_file import replace_section


def test_a_section_is_replaced_in_place_and_the_others_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\n## Quality\n\nold quality\n\n## Speed\n\nold speed\n")
    replace_section(path, "## Quality\n\nnew quality\n", heading="## Quality")
    assert path.read_text() == "# Benchmark results\n\n## Quality\n\nnew quality\n\n## Speed\n\nold speed\n"
    replace_section(path, "## Speed\n\nnew speed", heading="## Speed")
    assert path.read_text().endswith("## Quality\n\nnew quality\n\n## Speed\n\nnew speed\n")
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_a_new_section_is_appended_and_a_missing_file_is_created(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    replace_section(path, "## Tuning on QMSum train\n\ntable", heading="## Tuning on QMSum train")
    replace_section(path, "## Speed\n\nnumbers", heading="## Speed")
    text = path.read_text()
    assert text.startswith("# Benchmark results\n")
    assert text.index("## Tuning on QMSum train") < text.index("## Speed")
    assert text.count("## Speed") == 1
