"""The quality table's gap to the best peer: a paired bootstrap over meetings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.quality.paired import paired_bootstrap

scores = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12)


def test_a_constant_gap_has_no_spread_and_pairs_are_kept_together() -> None:
    ours = [0.30, 0.10, 0.50, 0.20]
    gap = paired_bootstrap(ours, [x - 0.05 for x in ours])
    assert gap.difference == pytest.approx(0.05)
    assert [gap.low, gap.high] == pytest.approx([0.05, 0.05])
    assert (gap.wins, gap.n) == (4, 4)
    # Unpaired, these scores would look far apart; paired, the second system is never ahead.
    assert paired_bootstrap([0.1, 0.9], [0.0, 0.8]).low > 0


def test_few_meetings_with_mixed_signs_give_an_interval_across_zero() -> None:
    gap = paired_bootstrap([0.12, 0.05, 0.09, 0.04], [0.08, 0.09, 0.06, 0.09])
    assert gap.difference == pytest.approx(-0.005)
    assert gap.low < 0 < gap.high
    assert gap.wins == 2


def test_the_same_seed_gives_the_same_interval() -> None:
    a, b = [0.2, 0.4, 0.1, 0.3, 0.25], [0.1, 0.45, 0.05, 0.2, 0.3]
    assert paired_bootstrap(a, b) == paired_bootstrap(a, b)


@given(st.data(), scores)
def test_the_interval_holds_the_mean(data: st.DataObject, ours: list[float]) -> None:
    other = data.draw(st.lists(st.floats(0.0, 1.0), min_size=len(ours), max_size=len(ours)))
    gap = paired_bootstrap(ours, other, resamples=500)
    assert gap.low - 1e-9 <= gap.difference <= gap.high + 1e-9
    assert 0 <= gap.wins <= gap.n == len(ours)


def test_unpaired_or_empty_input_is_refused() -> None:
    with pytest.raises(ValueError, match="same, non-zero number"):
        paired_bootstrap([0.1, 0.2], [0.1])
    with pytest.raises(ValueError, match="same, non-zero number"):
        paired_bootstrap([], [])
