"""Whether a document lies outside the taxonomy, from the share of its candidate sentences with a theme.

Real documents the taxonomy does not cover (a product team designing a remote control, a research group
discussing its recognisers) still get a few themed sentences from any classifier ("the cost is 12.50
euros"). One such sentence must not become an "education" takeaway. On the real train split, with the
shipped model, product and research meetings had 1.5-8.5% of their candidate sentences themed,
committee meetings 19-44% and UN speeches 34-88%; the boundary sits between the two groups.
"""

from __future__ import annotations

from collections.abc import Iterable

OUTSIDE_TAXONOMY_SHARE = 0.12
"""A document with fewer themed candidate sentences than this share is outside the taxonomy."""


def themed_share(sentences: Iterable[tuple[bool, bool]]) -> float:
    """Share of candidate sentences that carry a theme; ``sentences`` gives (candidate, themed) pairs."""
    flags = [themed for candidate, themed in sentences if candidate]
    return sum(flags) / len(flags) if flags else 0.0


def outside_taxonomy(sentences: Iterable[tuple[bool, bool]]) -> bool:
    return themed_share(sentences) < OUTSIDE_TAXONOMY_SHARE
