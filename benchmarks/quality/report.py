"""Markdown tables, and one "## ..." section of benchmarks/RESULTS.md replaced in place."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

SECTION = "## Quality"
_TITLE = "# Benchmark results\n"


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table; floats with three decimals."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return f"{value:.3f}"
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def replace_section(path: Path, body: str, *, heading: str = SECTION) -> None:
    """Write ``body`` (starting with ``heading``) in place of that section only; append it if new."""
    text = path.read_text(encoding="utf-8") if path.exists() else _TITLE
    pattern = re.compile(rf"^{re.escape(heading)}[ \t]*\n.*?(?=^## |\Z)", re.S | re.M)
    section = body.rstrip() + "\n"
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
