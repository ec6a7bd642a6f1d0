"""The Great Expectations engine (toolkit.gx_engine) behind the engine seam."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from toolkit import gx_engine  # this module is imported only when the engine runs
from toolkit.article import Article
from toolkit.engines import RunRequest
from toolkit.result import Result
from toolkit.suite import Suite


def _data_docs(request: RunRequest | Mapping[str, str | None]) -> Path | None:
    options = request.options if isinstance(request, RunRequest) else request
    value = options.get("data_docs")
    return None if value is None else Path(value)


def run(request: RunRequest) -> Result:
    return gx_engine.check(
        request.paths,
        request.suites,
        data_docs=_data_docs(request),
        batch_size=request.batch_size,
        limits=request.limits,
        include_hidden=request.include_hidden,
        reading=request.reading,
    )


def run_articles(
    articles: list[Article], suites: list[Suite], options: Mapping[str, str | None]
) -> Result:
    return gx_engine.check_articles(articles, suites, data_docs=_data_docs(options))


def notes(request: RunRequest, result: Result) -> list[str]:
    docs = _data_docs(request)
    if docs is None or not result.summary.articles:
        return []
    return [f"Data Docs written to {docs / 'index.html'}"]
