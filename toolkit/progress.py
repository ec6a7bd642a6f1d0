"""Progress of a long run on standard error: files, articles, rate and time left.

Shown only when standard error is a terminal (a CI log or a redirect gets nothing), and
never with --quiet. rich.progress draws it; the bar is removed when the run ends.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

OnProgress = Callable[[int, int], None]


def wanted(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


@contextmanager
def progress(total_files: int, enabled: bool) -> Iterator[OnProgress | None]:
    """An ``on_progress(files, articles)`` callback drawing a bar, or None when disabled."""
    if not enabled or total_files == 0:
        yield None
        return
    columns = (
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files  {task.fields[articles]} articles  {task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    console = Console(file=sys.stderr)
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("check", total=total_files, articles=0, rate="")

        def update(files: int, articles: int) -> None:
            elapsed = bar.tasks[0].elapsed or 0.0
            rate = f"{articles / elapsed:,.0f}/s" if elapsed > 0 else ""
            bar.update(task, completed=files, articles=f"{articles:,}", rate=rate)

        yield update
