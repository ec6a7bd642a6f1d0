"""Columns computed once per batch and shared by the expectations that read them.

Several expectations of a suite derive the same costly columns from a batch: the body's hash
(body_unique, body_near_duplicate, headline_unique, the archive expectations) and its MinHash
signature (body_near_duplicate, headline_unique, body_near_archived). While the engine checks a
batch (``for_batch``), the first expectation to ask computes such a column over the whole batch
and the others take their rows of it. Only frames the engine made from the batch (the batch
itself, and the rows of it it hands an expectation, ``rows_of``) are served from the memo: any
other frame (a custom expectation's modified copy, a fixture's, the GX engine's) is computed as
it is.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd

Columns = tuple[np.ndarray, ...]


class _Memo:
    def __init__(self, batch: pd.DataFrame) -> None:
        self.batch = batch
        self.values: dict[Hashable, Columns] = {}
        # Frames made from the batch, by identity, with their rows' positions in it; the frame
        # is held, so that its id is not reused while the batch is checked.
        self.frames: dict[int, tuple[pd.DataFrame, np.ndarray]] = {}


_current: ContextVar[_Memo | None] = ContextVar("toolkit_batch_memo", default=None)


@contextmanager
def for_batch(batch: pd.DataFrame) -> Iterator[None]:
    """Share the columns computed from ``batch`` while it is checked."""
    token = _current.set(_Memo(batch))
    try:
        yield
    finally:
        _current.reset(token)


def rows_of(frame: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    """``frame``, made by the engine from the rows at ``positions`` of the current batch."""
    memo = _current.get()
    if memo is not None:
        memo.frames[id(frame)] = (frame, positions)
    return frame


def shared(
    frame: pd.DataFrame, key: Hashable, compute: Callable[[pd.DataFrame], Columns]
) -> Columns:
    """``compute(frame)``: from the current batch's columns when ``frame`` is rows of it, each
    computed once per batch. ``compute`` must work row by row (a row's values do not depend on
    the other rows), so that the batch's rows are the frame's."""
    memo = _current.get()
    if memo is None:
        return compute(frame)
    if frame is memo.batch:
        positions = None
    elif id(frame) in memo.frames and memo.frames[id(frame)][0] is frame:
        positions = memo.frames[id(frame)][1]
    else:
        return compute(frame)
    values = memo.values.get(key)
    if values is None:
        values = memo.values[key] = compute(memo.batch)
    return values if positions is None else tuple(v[positions] for v in values)
