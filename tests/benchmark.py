"""Benchmark: time and peak memory of `toolkit check`, as ratios against baselines measured in
the same run on the same synthetic corpus (this machine is shared and noisy, so only ratios
within one run mean anything).

    python tests/benchmark.py [--articles 20000] [--suite toolkit/suites/news.yaml]
    python tests/benchmark.py --feeds-only [--records 200000]

Each measurement runs in a fresh subprocess (peak memory is its maximum resident set size):
- parse: discover, read and parse every file, no checks (the floor any checker pays);
- pandera: the toolkit's default engine, one process;
- pandera -j2: the same with two worker processes;
- gx: the Great Expectations engine on the same suite, when it is installed;
- one long word: `check` (imports excluded) of one article whose body is one 2 MB word (and
  of other hostile bodies: base64, runs of spaces) against one whose body is 2 MB of ordinary
  words; the ratio should be about 1x (every pattern and message builder is linear).

With ``--feeds`` (or ``--feeds-only``), the same synthetic articles are also written as record
feeds (title/text/date/authors/tags), as JSON Lines and as Parquet in 10 files each, and
measured against pyarrow alone reading the same files:
- arrow: ``pyarrow.json.read_json`` / ``pyarrow.parquet.read_table`` of every file (the floor);
- readers: the toolkit's ``read_file`` over the discovered files, records mapped to articles;
- check: ``toolkit.engine.check`` with the suite over the feed, and over the same articles
  as dump text.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from toolkit.article import Article

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "corpora"

_RUNNERS = {
    "parse": (
        "from toolkit.readers import discover, read_dump\n"
        "n = sum(len(read_dump(p).articles) for p in discover([Path(corpus)]).files)\n"
    ),
    "pandera": (
        "from toolkit.engine import check\n"
        "from toolkit.suite import load_suite\n"
        "r = check([Path(corpus)], [load_suite(suite)])\n"
        "n = r.summary.articles\n"
    ),
    "pandera -j2": (
        "from toolkit.engine import check\n"
        "from toolkit.suite import load_suite\n"
        "r = check([Path(corpus)], [load_suite(suite)], jobs=2)\n"
        "n = r.summary.articles\n"
    ),
    "gx": (
        "from toolkit.gx_engine import check\n"
        "from toolkit.suite import load_suite\n"
        "r = check([Path(corpus)], [load_suite(suite)])\n"
        "n = r.summary.articles\n"
    ),
}
# Feed runners: ``corpus`` is a directory of one format's files.
_FEED_RUNNERS = {
    "arrow jsonl": (
        "import pyarrow.json as pa_json\n"
        "n = sum(pa_json.read_json(p).num_rows for p in sorted(Path(corpus).iterdir()))\n"
    ),
    "arrow parquet": (
        "import pyarrow.parquet as pq\n"
        "n = sum(pq.read_table(p).num_rows for p in sorted(Path(corpus).iterdir()))\n"
    ),
    "readers": (
        "from toolkit.readers import discover\n"
        "from toolkit.readers.formats import read_file\n"
        "n = sum(len(read_file(p).articles) for p in discover([Path(corpus)]).files)\n"
    ),
    "check": _RUNNERS["pandera"],
}
# Imported before the clock in every feed runner, so that times compare reading and checking,
# not start-up (pyarrow.parquet alone takes about a second to import).
_FEED_PRELUDE = (
    "import pyarrow.csv, pyarrow.json, pyarrow.parquet\n"
    "import toolkit.engine, toolkit.readers.formats, toolkit.readers.records, toolkit.suite\n"
)


def make_corpus(target: Path, articles: int, seed: int = 7, defective: float = 0.05) -> int:
    """Dumps of 1,000 articles each. Most are clean articles whose bodies are rebuilt from
    sentences drawn at random from all the shipped samples (distinct bodies, as in a real
    dump); a share ``defective`` are the shipped broken samples. Headlines are numbered in the
    header and the title line alike so that they stay distinct."""
    from toolkit.article import parse_text, render

    clean = [
        a
        for path in sorted((CORPORA / "clean").glob("*.txt"))
        for a in parse_text(path.read_text(encoding="utf-8"), path.name)
    ]
    sentences = [s for a in clean for p in a.paragraphs for s in p.split(". ") if len(s) > 40]
    broken = []
    for path in sorted((CORPORA / "broken").glob("*.txt")):
        data = path.read_bytes()
        if data.strip() and b"\x00" not in data:
            try:
                broken.append(data.decode("utf-8"))
            except UnicodeDecodeError:
                continue
    rng = random.Random(seed)
    per_file = 1000
    written = 0
    for f in range(0, articles, per_file):
        chunk = []
        for i in range(min(per_file, articles - f)):
            n = f + i
            if rng.random() < defective:
                lines = rng.choice(broken).split("\n")
                lines[0] = f"{lines[0]} ({n})"
                if len(lines) > 1 and lines[1].strip():
                    lines[1] = f"{lines[1]} ({n})"
                chunk.append("\n".join(lines))
                continue
            base = rng.choice(clean)
            paragraphs = [
                ". ".join(rng.sample(sentences, rng.randint(2, 4))).rstrip(".") + "."
                for _ in range(rng.randint(4, 8))
            ]
            headline = f"{base.headline} ({n})"
            article = dataclasses.replace(
                base, headline=headline, title=headline, paragraphs=paragraphs
            )
            chunk.append(render(article))
        (target / f"dump_{f // per_file:04d}.txt").write_text("\n".join(chunk), encoding="utf-8")
        written += len(chunk)
    return written


def _record(article: Article) -> dict[str, Any]:
    """An article as a feed record in the ``plain`` layout."""
    return {
        "title": article.headline,
        "text": article.body,
        "date": article.date,
        "authors": [article.byline] if article.byline else [],
        "tags": list(article.tags),
    }


def make_feeds(dumps: Path, target: Path, records: int, files: int = 10) -> int:
    """The articles of the dump corpus ``dumps`` (about ``records``) as records, in ``files``
    JSON Lines files (target/jsonl) and as many Parquet files (target/parquet), written one
    file at a time so that memory holds one file's records; the number of records."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from toolkit.readers import read_dump

    (target / "jsonl").mkdir()
    (target / "parquet").mkdir()
    size = -(-records // files)
    chunk: list[dict[str, Any]] = []
    written = 0

    def flush() -> None:
        nonlocal written
        name = f"feed_{written // size:02d}"
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk)
        (target / "jsonl" / f"{name}.jsonl").write_text(lines, encoding="utf-8")
        pq.write_table(pa.Table.from_pylist(chunk), target / "parquet" / f"{name}.parquet")
        written += len(chunk)
        chunk.clear()

    for path in sorted(dumps.glob("*.txt")):
        for article in read_dump(path).articles:
            chunk.append(_record(article))
            if len(chunk) == size:
                flush()
    if chunk:
        flush()
    return written


_MB = 2_000_000
# Bodies of one 2 MB article each, beside an ordinary one of the same size; the article around
# them is the same.
_HOSTILE_BODIES = {
    "ordinary": lambda rng: " ".join(
        rng.choice(["the", "ministry", "said", "exports", "rose", "in", "February."])
        for _ in range(_MB // 7)
    ),
    "one word": lambda rng: "a" * _MB,
    "base64": lambda rng: base64.b64encode(rng.randbytes(_MB * 3 // 4)).decode("ascii"),
    "spaces": lambda rng: "Officials said" + " " * _MB + "that talks would resume",
    "no-break spaces": lambda rng: "Officials said" + "\u00a0" * _MB + "that talks resume",
}
_WARM_CHECK = (
    "import json, sys, time\n"
    "from pathlib import Path\n"
    "from toolkit.engine import check\n"
    "from toolkit.suite import load_suite\n"
    "suite = load_suite(Path(sys.argv[2]))\n"
    "t = time.perf_counter()\n"
    "r = check([Path(sys.argv[1])], [suite])\n"
    "print(json.dumps([time.perf_counter() - t, len(r.findings)]))\n"
)


def hostile_ratios(target: Path, suite: Path, repeat: int = 3) -> dict[str, tuple[float, int]]:
    """Seconds (best of ``repeat``, imports and suite loading excluded) and findings of
    `check` on one article of each body in _HOSTILE_BODIES."""
    from toolkit.article import Article, render

    rng = random.Random(3)
    out: dict[str, tuple[float, int]] = {}
    for name, make in _HOSTILE_BODIES.items():
        headline = "Seoul stocks close higher on chip rally"
        article = Article(
            file="",
            line=1,
            date="2025-03-11",
            headline=headline,
            title=headline,
            published="11 Mar. 2025, 17:03",
            paragraphs=[make(rng)],
            byline="BY SEO JI-EUN [seo.jieun@joongang.co.kr]",
            tags_raw="Korea economy",
        )
        path = target / f"{name.replace(' ', '_')}.txt"
        path.write_text(render(article), encoding="utf-8")
        times = []
        for _ in range(repeat):
            proc = subprocess.run(
                [sys.executable, "-c", _WARM_CHECK, str(path), str(suite)],
                capture_output=True,
                text=True,
                check=True,
            )
            seconds, findings = json.loads(proc.stdout.strip().splitlines()[-1])
            times.append(float(seconds))
        out[name] = (min(times), int(findings))
    return out


def measure(
    name: str, corpus: Path, suite: Path, runners: dict[str, str] = _RUNNERS, prelude: str = ""
) -> tuple[float, float, int] | None:
    """(seconds, peak MiB, articles) of one runner in a fresh interpreter, or None if it
    cannot run here (the GX engine not installed). ``prelude`` runs before the clock starts."""
    code = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        f"corpus, suite = {str(corpus)!r}, {str(suite)!r}\n"
        f"{prelude}"
        "t = time.perf_counter()\n"
        f"{runners[name]}"
        "dt = time.perf_counter() - t\n"
        # VmHWM is this interpreter's own peak: ru_maxrss would also count the parent's
        # memory at the fork, which the feeds mode makes large.
        "status = Path('/proc/self/status')\n"
        "hwm = [ln for ln in status.read_text().splitlines() if ln.startswith('VmHWM:')]\n"
        "peak = (int(hwm[0].split()[1]) if hwm else "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024\n"
        "print(json.dumps([dt, peak, n]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        if "ModuleNotFoundError" in proc.stderr:
            return None
        raise SystemExit(f"{name} failed:\n{proc.stderr}")
    seconds, peak, n = json.loads(proc.stdout.strip().splitlines()[-1])
    return float(seconds), float(peak), int(n)


def _shown(label: str, got: tuple[float, float, int], clock: float) -> None:
    print(
        f"{label:<16} {got[0]:8.2f} s  {got[1]:8.0f} MiB peak  {got[2]} articles "
        f"({time.perf_counter() - clock:.1f} s with start-up)"
    )


def feed_ratios(tmp: Path, records: int, suite: Path) -> None:
    """Write ``records`` articles as dump text, JSON Lines and Parquet; print the time and
    peak memory of each runner of _FEED_RUNNERS and their ratios to pyarrow alone."""
    dumps = tmp / "feed-dumps"
    dumps.mkdir()
    make_corpus(dumps, records)
    feeds = tmp / "feeds"
    feeds.mkdir()
    written = make_feeds(dumps, feeds, records)
    print(f"\nfeeds: {written} records, 10 JSON Lines and 10 Parquet files; suite {suite.name}")
    got: dict[str, tuple[float, float, int]] = {}
    plan = [
        ("arrow jsonl", "arrow jsonl", feeds / "jsonl"),
        ("arrow parquet", "arrow parquet", feeds / "parquet"),
        ("readers jsonl", "readers", feeds / "jsonl"),
        ("readers parquet", "readers", feeds / "parquet"),
        ("check jsonl", "check", feeds / "jsonl"),
        ("check parquet", "check", feeds / "parquet"),
        ("check dump", "check", dumps),
    ]
    for label, runner, corpus in plan:
        clock = time.perf_counter()
        result = measure(runner, corpus, suite, _FEED_RUNNERS, _FEED_PRELUDE)
        if result is None:
            raise SystemExit(f"{label}: pyarrow is not installed")
        got[label] = result
        _shown(label, result, clock)
    print("\nratios (same run, imports excluded)     time  memory")
    for fmt in ("jsonl", "parquet"):
        base = got[f"arrow {fmt}"]
        for stage in ("readers", "check"):
            t, m, _ = got[f"{stage} {fmt}"]
            print(f"  {stage + ' / arrow ' + fmt:<28} {t / base[0]:7.2f}x  {m / base[1]:6.2f}x")
    dump = got["check dump"]
    for fmt in ("jsonl", "parquet"):
        t, m, _ = got[f"check {fmt}"]
        print(f"  {'check ' + fmt + ' / check dump':<28} {t / dump[0]:7.2f}x  {m / dump[1]:6.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--suite", type=Path, default=ROOT / "toolkit" / "suites" / "news.yaml")
    parser.add_argument("--only", nargs="*", choices=list(_RUNNERS), default=list(_RUNNERS))
    parser.add_argument(
        "--hostile-only", action="store_true", help="only the 2 MB hostile-body comparison"
    )
    parser.add_argument(
        "--feeds", action="store_true", help="also the JSON Lines and Parquet feed comparison"
    )
    parser.add_argument(
        "--feeds-only", action="store_true", help="only the JSON Lines and Parquet comparison"
    )
    parser.add_argument("--records", type=int, default=200_000, help="records of the feeds")
    args = parser.parse_args()
    if args.feeds_only:
        with tempfile.TemporaryDirectory() as tmp:
            feed_ratios(Path(tmp), args.records, args.suite.resolve())
        return
    if args.hostile_only:
        args.only = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp)
        written = make_corpus(corpus, args.articles)
        files = len(list(corpus.iterdir()))
        print(f"corpus: {written} articles in {files} files; suite {args.suite.name}")
        results: dict[str, tuple[float, float, int]] = {}
        for name in args.only:
            clock = time.perf_counter()
            got = measure(name, corpus, args.suite.resolve())
            if got is None:
                print(f"{name:<12} not installed, skipped")
                continue
            results[name] = got
            print(
                f"{name:<12} {got[0]:8.2f} s  {got[1]:8.0f} MiB peak  {got[2]} articles "
                f"({time.perf_counter() - clock:.1f} s with start-up)"
            )
        base = results.get("parse")
        ref = results.get("pandera")
        print("\nratios (same run):")
        if base and ref:
            print(f"  pandera / parse time      {ref[0] / base[0]:6.2f}x")
            print(f"  pandera / parse memory    {ref[1] / base[1]:6.2f}x")
        if ref and "pandera -j2" in results:
            print(f"  speed-up with -j2         {ref[0] / results['pandera -j2'][0]:6.2f}x")
        if ref and "gx" in results:
            gx = results["gx"]
            print(f"  gx / pandera time         {gx[0] / ref[0]:6.2f}x")
            print(f"  gx / pandera memory       {gx[1] / ref[1]:6.2f}x")
        hostile = Path(tmp) / "hostile"
        hostile.mkdir()
        timed = hostile_ratios(hostile, args.suite.resolve())
        base_time = timed["ordinary"][0]
        print("\n2 MB bodies, check time against a 2 MB ordinary body (best of 3, same run):")
        for name, (seconds, found) in timed.items():
            print(f"  {name:<16} {seconds:6.2f} s  {seconds / base_time:6.2f}x  {found} findings")
        if args.feeds:
            feed_ratios(Path(tmp), args.records, args.suite.resolve())


if __name__ == "__main__":
    main()
