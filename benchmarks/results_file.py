"""benchmarks/RESULTS.md, one "## ..." section per benchmark, each replaced in place by its own run."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
_TITLE = "# Benchmark results\n"


def replace_section(path: Path, body: str, *, heading: str) -> None:
    """Write ``body`` (starting with ``heading``) in place of that section only; append it if new.

    Written to a temporary file and renamed, so an interrupted benchmark never leaves half a file."""
    text = path.read_text(encoding="utf-8") if path.exists() else _TITLE
    pattern = re.compile(rf"^{re.escape(heading)}[ \t]*\n.*?(?=^## |\Z)", re.S | re.M)
    section = body.rstrip() + "\n"
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
