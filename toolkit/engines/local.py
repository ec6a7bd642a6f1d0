"""The default engine: pandera over batches of articles, over ``--jobs`` processes on one
machine (the run core in toolkit.engine)."""

from __future__ import annotations

from collections.abc import Mapping

from toolkit.article import Article
from toolkit.engines import RunRequest
from toolkit.result import Result
from toolkit.suite import Suite


def run(request: RunRequest) -> Result:
    from toolkit.engine import check

    return check(
        request.paths,
        request.suites,
        batch_size=request.batch_size,
        jobs=request.jobs,
        limits=request.limits,
        include_hidden=request.include_hidden,
        reading=request.reading,
        on_progress=request.on_progress,
        history=request.history,
        against=request.against,
    )


def run_articles(
    articles: list[Article], suites: list[Suite], options: Mapping[str, str | None]
) -> Result:
    from toolkit.engine import check_articles

    return check_articles(articles, suites)
