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
from typing import Any, TypeVar

import numpy as np
import pandas as pd

Columns = tuple[np.ndarray, ...]
T = TypeVar("T")


class _Memo:
    def __init__(self, batch: pd.DataFrame) -> None:
        self.batch = batch
        self.values: dict[Hashable, Columns] = {}
        # same_rows' values (shared()'s taken rows among them), by key and rows.
        self.whole: dict[tuple[Hashable, str | bytes], Any] = {}
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


# _rows_key of the batch itself (any rows of it are bytes).
_WHOLE = "whole"


def _rows_key(frame: pd.DataFrame, memo: _Memo) -> str | bytes | None:
    """Which rows of the batch ``frame`` is: _WHOLE for the batch itself, the positions' bytes
    for rows the engine made (equal for frames of the same rows), None for another frame."""
    if frame is memo.batch:
        return _WHOLE
    made = memo.frames.get(id(frame))
    if made is not None and made[0] is frame:
        return made[1].tobytes()
    return None


def shared(
    frame: pd.DataFrame, key: Hashable, compute: Callable[[pd.DataFrame], Columns]
) -> Columns:
    """``compute(frame)``: from the current batch's columns when ``frame`` is rows of it, each
    computed once per batch (and taken once for each set of rows, so that expectations of the
    same rows hold the same arrays). ``compute`` must work row by row (a row's values do not
    depend on the other rows), so that the batch's rows are the frame's."""
    memo = _current.get()
    if memo is None:
        return compute(frame)
    rows = _rows_key(frame, memo)
    if rows is None:
        return compute(frame)
    values = memo.values.get(key)
    if values is None:
        values = memo.values[key] = compute(memo.batch)
    if rows == _WHOLE:
        return values
    positions = memo.frames[id(frame)][1]
    return same_rows(frame, ("rows of", key), lambda _: tuple(v[positions] for v in values))


def same_rows(frame: pd.DataFrame, key: Hashable, compute: Callable[[pd.DataFrame], T]) -> T:
    """``compute(frame)``, once per batch and set of rows when ``frame`` is the batch or rows
    the engine made of it: the same object for every caller, so that what several
    expectations keep of the same articles (their sightings' places and excerpts) is held
    once, and pickles once."""
    memo = _current.get()
    rows = None if memo is None else _rows_key(frame, memo)
    if memo is None or rows is None:
        return compute(frame)
    if (key, rows) not in memo.whole:
        memo.whole[(key, rows)] = compute(frame)
    value: T = memo.whole[(key, rows)]
    return value
