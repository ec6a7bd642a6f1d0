"""Benchmark of the corpus-wide expectations alone: the sketches over every batch, the merge,
and the corpus judgement in ``finish``, with the process's peak memory.

    python tests/corpus_benchmark.py --articles 50000 [--corpus DIR] [--jobs 1]

The corpus is ``tests.benchmark.make_corpus``'s (one is written in a temporary directory
unless ``--corpus`` names one already written). The suite holds the three corpus
expectations of the news suite. Only ratios between runs on one machine in one sitting mean
anything: run it once per code version to compare them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.result import RunInfo

SUITE = """suite: corpus
expectations:
  - expect: body_unique
  - expect: body_near_duplicate
  - expect: headline_unique
"""


def measure(corpus: Path, batch_size: int = 5000) -> dict[str, float]:
    from toolkit.batch import batched
    from toolkit.engine import finish, merge, validate_batch
    from toolkit.readers import discover, read_dump
    from toolkit.suite import parse_suite

    suite = parse_suite(SUITE, directory=corpus)
    files = discover([corpus]).files
    file_order = {str(p): i for i, p in enumerate(files)}
    articles = (a for p in files for a in read_dump(p, str(p)).articles)
    sketch = 0.0
    parts = []
    # The first batch imports what the checks import lazily: warm up on a few articles.
    warm = read_dump(files[0], str(files[0])).articles[:20]
    finish([suite], merge([validate_batch([suite], warm, file_order)]), _run(), file_order)
    for chunk in batched(articles, batch_size):
        clock = time.perf_counter()
        parts.append(validate_batch([suite], chunk, file_order))
        sketch += time.perf_counter() - clock
    clock = time.perf_counter()
    total = merge(parts)
    merged = time.perf_counter() - clock
    clock = time.perf_counter()
    result = finish([suite], total, _run(), file_order)
    judged = time.perf_counter() - clock
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "articles": result.summary.articles,
        "sketch_s": round(sketch, 2),
        "merge_s": round(merged, 2),
        "finish_s": round(judged, 2),
        "findings": len(result.findings),
        "peak_mib": round(peak),
    }


def _run() -> RunInfo:
    from toolkit.result import RunInfo

    return RunInfo(
        tool_version="", paths=[], suites=[], started=dt.datetime.now(dt.UTC), duration_s=0
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50000)
    parser.add_argument("--corpus", type=Path, default=None)
    args = parser.parse_args()
    from tests.benchmark import make_corpus

    if args.corpus is not None and args.corpus.exists():
        print(json.dumps(measure(args.corpus)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        target = args.corpus or Path(tmp)
        target.mkdir(parents=True, exist_ok=True)
        make_corpus(target, args.articles)
        print(json.dumps(measure(target)))


if __name__ == "__main__":
    main()
