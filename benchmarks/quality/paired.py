"""Is ours ahead of a peer, or within what a handful of meetings gives by chance?

Means over 4 meetings (val's education committee) move by several ROUGE points when one meeting is
swapped, so the quality table shows each gap to the best peer with a paired bootstrap interval:
meetings are resampled with replacement, each keeping its own pair of scores, and the 2.5th and
97.5th percentiles of the mean difference are read off. An interval that straddles zero says the
data cannot tell the two systems apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 10_000


@dataclass(frozen=True)
class Paired:
    difference: float
    """Mean of ours minus the other system, over meetings."""
    low: float
    high: float
    """The 95% paired bootstrap interval of that mean."""
    wins: int
    """Meetings where ours scores higher."""
    n: int


def paired_bootstrap(
    ours: Sequence[float], other: Sequence[float], *, resamples: int = RESAMPLES, seed: int = 0
) -> Paired:
    """The mean difference ``ours - other`` over paired meetings, with its 95% bootstrap interval."""
    if len(ours) != len(other) or not ours:
        raise ValueError(f"need the same, non-zero number of meetings; got {len(ours)} and {len(other)}")
    diff = np.asarray(ours, dtype=float) - np.asarray(other, dtype=float)
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), size=(resamples, len(diff)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return Paired(float(diff.mean()), float(low), float(high), int((diff > 0).sum()), len(diff))
