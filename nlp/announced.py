"""Statements that announce their own list of points: "here are my three key takeaways"."""

from __future__ import annotations

import re

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_ANNOUNCED = re.compile(
    r"\b(?P<n>two|three|four|five|six|seven|eight|nine|ten|[2-9])\s+(?:(?:key|main|major|big|important)\s+)?"
    r"(?:takeaways|take-aways|lessons|key messages|messages|recommendations|priorities)\b",
    re.IGNORECASE,
)


def announced_count(text: str) -> int | None:
    """The number of points a text says it is about to make, if it says so."""
    found = _ANNOUNCED.search(text)
    if found is None:
        return None
    n = found["n"].lower()
    return int(n) if n.isdigit() else NUMBER_WORDS.index(n)
