"""Dependencies point one way: ``nlp`` (pure text mining) imports neither ``flows`` nor ``review``;
``flows`` does not import ``review``, except the CLI (``flows/cli/``), the one place that puts the commands
together. ``nlp`` also stays free of orchestration, storage and web frameworks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPOSITION_ROOT = ROOT / "flows" / "cli"


def _imports(path: Path) -> set[str]:
    """Top-level packages a module imports, wherever the import statement is (in functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("nlp", {"flows", "review", "benchmarks", "scripts", "prefect", "sqlalchemy", "fastapi", "uvicorn"}),
        ("flows", {"review", "benchmarks", "scripts"}),
        ("review", {"benchmarks", "scripts"}),
    ],
)
def test_imports_point_one_way(package: str, forbidden: set[str]) -> None:
    wrong = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & forbidden)
        for path in sorted((ROOT / package).rglob("*.py"))
        if COMPOSITION_ROOT not in path.parents and _imports(path) & forbidden
    }
    assert not wrong, wrong


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from review.app import create_app\n    import flows.store\n")
    assert _imports(module) == {"review", "flows"}
