"""Parse media timestamps such as ``01:02``, ``1:02:03``, ``00:01:02.500`` or ``00:01:02,500``."""

from __future__ import annotations

import re

TIMESTAMP = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_PARTS = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$")


def parse_timestamp(value: str) -> float:
    """Seconds as a float; raise ValueError for anything that is not a well-formed timestamp."""
    match = _PARTS.match(value.strip())
    if not match:
        raise ValueError(f"not a timestamp: {value!r}")
    hours, minutes, seconds, fraction = match.groups()
    h, m, s = int(hours or 0), int(minutes), int(seconds)
    if m >= 60 or s >= 60:
        raise ValueError(f"minutes or seconds out of range in {value!r}")
    frac = int(fraction.ljust(3, "0")) / 1000 if fraction else 0.0
    return h * 3600 + m * 60 + s + frac
