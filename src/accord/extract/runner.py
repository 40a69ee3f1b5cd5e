"""Run the pipeline over batches of blocks, in this process or in a pool of workers.

Results come back in input order. At most two batches per worker are in
flight, so a 50 MB file never sits in memory whole.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

Batch = list[tuple[int, str]]


def _work(texts: list[str]) -> list[list[dict[str, Any]]]:
    from accord.extract import analyse_blocks

    return analyse_blocks(texts)


def _warm() -> None:
    from accord.extract.pipeline import load_pipeline

    load_pipeline()


def run_batches(batches: Iterable[Batch], jobs: int) -> Iterator[tuple[Batch, list[list[dict[str, Any]]]]]:
    """Yield each batch with its analysis, in order."""
    if jobs <= 1:
        for batch in batches:
            yield batch, _work([b for _, b in batch])
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs, initializer=_warm) as pool:
        pending: deque[tuple[Batch, Any]] = deque()
        for batch in batches:
            pending.append((batch, pool.apply_async(_work, ([b for _, b in batch],))))
            if len(pending) >= 2 * jobs:
                done, result = pending.popleft()
                yield done, result.get()
        while pending:
            done, result = pending.popleft()
            yield done, result.get()
