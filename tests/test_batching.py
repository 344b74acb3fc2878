"""How a run cuts documents into batches: every document exactly once, in order, never more than
``batch_size`` at a time, and small batches at the end so little analysis is left after the last parse."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flows.run.pipeline import SMALLEST_BATCH, _Batches
from flows.settings import Settings
from nlp.document import Document


def _cut(n: int, batch_size: int, chunk: int, skipped_every: int, parallel: int = 1) -> list[list[str]]:
    """The batches a run submits for ``n`` inputs read ``chunk`` at a time, some already analysed, with
    ``parallel`` analysing processes."""
    batches = _Batches(settings=Settings(batch_size=batch_size), versions="v", run_id="r", unread=n)
    batches.parallel = parallel
    submitted: list[list[str]] = []
    batches._submit = lambda batch: submitted.append([d.id for d in batch])  # type: ignore[method-assign]
    for start in range(0, n, chunk):
        read = range(start, min(start + chunk, n))
        todo = [Document.model_construct(id=str(i)) for i in read if skipped_every == 0 or i % skipped_every]
        batches.add(todo, read=len(read))
    if batches.buffer:  # what finish() submits
        submitted.append([d.id for d in batches.buffer])
    return submitted


@given(
    n=st.integers(min_value=0, max_value=400),
    batch_size=st.integers(min_value=1, max_value=64),
    chunk=st.integers(min_value=1, max_value=64),
    skipped_every=st.sampled_from([0, 2, 5]),
    parallel=st.integers(min_value=1, max_value=4),
)
def test_every_document_once_in_order_and_no_batch_too_large(
    n: int, batch_size: int, chunk: int, skipped_every: int, parallel: int
) -> None:
    submitted = _cut(n, batch_size, chunk, skipped_every, parallel)
    expected = [str(i) for i in range(n) if skipped_every == 0 or i % skipped_every]
    assert [doc for batch in submitted for doc in batch] == expected
    assert all(1 <= len(batch) <= batch_size for batch in submitted)


def test_the_last_batches_taper_so_little_analysis_follows_the_last_parse() -> None:
    sizes = [len(batch) for batch in _cut(100, 32, 32, 0)]
    assert sizes[:2] == [32, 32], "full batches while plenty is left"
    assert max(sizes[2:]) < 32, "fewer than two full batches left: they taper"
    assert sizes[-1] <= SMALLEST_BATCH
    assert sizes == sorted(sizes, reverse=True), "sizes only shrink"
    assert [len(batch) for batch in _cut(8, 32, 32, 0)] == [4, 4], "a small run still gets two batches"


def test_with_two_processes_no_batch_holds_more_than_a_quarter_of_what_is_left() -> None:
    """40 speeches as 20 + 10 + 5 + 5 kept one process busy 8 s after the other had finished."""
    sizes = [len(batch) for batch in _cut(40, 32, 32, 0, parallel=2)]
    assert sizes[0] == 10
    left = 40
    for size in sizes:
        assert size <= max(-(-left // 4), SMALLEST_BATCH)
        left -= size
