"""Benchmark: time and peak memory of `toolkit check`, as ratios against baselines measured in
the same run on the same synthetic corpora (this machine is shared and noisy, so only ratios
within one run mean anything).

    python tests/benchmark.py [--sizes 10k,200k,1M] [--layouts one,20] [--suites mission,news]
                              [--jobs 1,2] [--no-near] [--no-gx] [--no-dask] [--quick]
                              [--workdir DIR]
    python tests/benchmark.py --profile [--profile-size 200k] [--profile-suite news]
    python tests/benchmark.py --engines [--articles 20000] [--suite FILE]   (and --hostile-only)
    python tests/benchmark.py --feeds-only [--records 200000]

The reference (the default) generates corpora of each size (tests/bench/corpora.py: 30% of
articles defective; one article a file, 20 a file, and one with 10% templated near-copies),
kept in ``--workdir`` between runs, and runs each measurement as a fresh process, timed end to
end (start-up included) with its peak memory:
- floor: find, read and count the lines of every file (tests/bench/floor.py);
- gx pipeline: a minimal dump parser and Great Expectations 1.x doing the four mission checks
  as a team would write it (tests/bench/gx_pipeline.py);
- mission, news, news -j2: `toolkit check --quiet` of tests/bench/mission.yaml (the five
  mission expectations) and of the shipped news suite, with --jobs 1 and 2;
- news dask: the news suite on `--engine dask --jobs 2` (a LocalCluster of 2 workers started
  by the run), beside news -j2, when the dask extra is installed.
It prints each ratio against its target: mission / GX pipeline <= 0.5x and news / GX pipeline
<= 1x in time; time per article from the second-largest to the largest size <= 1.10x on each
corpus (near copies included); peak RSS <= 500 MiB at each size and largest / second-largest
<= 1.20x; the -j2 speed-up >= 1.7x. ``--profile`` prints where the time goes instead (py-spy
over all processes when it is installed, else cProfile).

With ``--engines``, the engines in process on ``--articles`` (imports excluded):
- parse: discover, read and parse every file, no checks (the floor any checker pays);
- pandera: the toolkit's default engine, one process;
- pandera -j2: the same with two worker processes;
- gx: the Great Expectations engine on the same suite, when it is installed;
- one long word: `check` (imports excluded) of one article whose body is one 2 MB word (and
  of other hostile bodies: base64, runs of spaces) against one whose body is 2 MB of ordinary
  words; the ratio should be about 1x (every pattern and message builder is linear).
``--hostile-only`` runs the last comparison alone.

With ``--index-only [--archived 100k,1M] [--incoming 10000]``, the archive index (toolkit.index):
- index build: `toolkit index build` of each archive (1,000 articles a file), in process;
- check: ``toolkit.engine.check`` of an incoming corpus (fresh articles, and one archived file
  of 1,000 articles copied in) with the news suite, no index;
- check --against: the same with the index, body_archived and body_near_archived added;
printed with the lookup's cost over the plain check and the peak memory from the smallest to
the largest archive (bounded memory: about 1x).

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
import importlib.util
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: tests.bench is imported from the checkout
    sys.path.insert(0, str(ROOT))

from tests.bench import process  # noqa: E402
from tests.bench.corpora import Spec, ensure_corpus, write_corpus  # noqa: E402
from tests.bench.process import Measured  # noqa: E402

if TYPE_CHECKING:
    from toolkit.article import Article

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
    """Dumps of 1,000 articles each, written straight into ``target``: clean articles with
    distinct headlines and bodies, and a share ``defective`` broken by an expectation's breaker
    or copied from a shipped broken sample (see tests/bench/corpora.py); the number written."""
    spec = Spec(articles, per_file=1000, defective=defective, seed=seed)
    return int(write_corpus(target, spec, flat=True)["articles"])


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


# --- the reference: every target of the throughput work, as ratios measured in one run --------

SIZES = {"10k": 10_000, "50k": 50_000, "200k": 200_000, "1M": 1_000_000}
LAYOUTS = {"one": 1, "20": 20}
MISSION = ROOT / "tests" / "bench" / "mission.yaml"
_SUITES = {"mission": str(MISSION), "news": "news"}


def parse_size(text: str) -> int:
    """``10k``, ``200k``, ``1M`` or a number of articles."""
    text = text.strip()
    if text in SIZES:
        return SIZES[text]
    scale = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def size_label(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


@dataclasses.dataclass(frozen=True)
class Corpus:
    """A generated corpus of the reference, and what its label means."""

    key: str  # "one", "20" or "near"
    spec: Spec

    @property
    def label(self) -> str:
        layout = "1/file" if self.spec.per_file == 1 else f"{self.spec.per_file}/file"
        share = round(self.spec.near_copies * 100)
        near = f", {share}% near-copies" if share else ""
        return f"{size_label(self.spec.articles)} {layout}{near}"


@dataclasses.dataclass(frozen=True)
class Row:
    corpus: Corpus
    run: str  # "floor", "gx pipeline", "mission", "news", "news -j2", ...
    got: Measured


def _env() -> dict[str, str]:
    """The checkout's toolkit and tests.bench first on the path, as for the test suite."""
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if "PYTHONPATH" in env else "")
    return env


def command(run: str, corpus: Path) -> list[str]:
    """The command line of one run: the floor, the GX pipeline, or `toolkit check` of a suite
    (``news``, ``news -j2``, ``mission``) with its terminal report, as a user runs it."""
    if run == "floor":
        return [sys.executable, "-m", "tests.bench.floor", str(corpus)]
    if run == "gx pipeline":
        return [sys.executable, "-m", "tests.bench.gx_pipeline", str(corpus)]
    if run.endswith(" dask"):
        suite = run.removesuffix(" dask")
        return [*command(f"{suite} -j2", corpus), "--engine", "dask"]
    suite, _, jobs = run.partition(" -j")
    return [
        sys.executable,
        "-m",
        "toolkit",
        "check",
        str(corpus),
        "--suite",
        _SUITES[suite],
        "--jobs",
        jobs or "1",
        "--quiet",
        "--no-color",
    ]


def plan(
    sizes: list[int],
    layouts: list[str],
    suites: list[str],
    jobs: list[int],
    near: bool,
    gx: bool,
    dask: bool = False,
) -> list[tuple[Corpus, list[str]]]:
    """The corpora and the runs on each. The first layout carries the full comparison (floor,
    GX pipeline, every suite, and the news suite at each --jobs); other layouts the floor and
    each suite at -j1; the near-copy corpus (first layout) the news suite, for linear time."""
    out = []
    for n in sizes:
        for i, layout in enumerate(layouts):
            runs = ["floor"] + (["gx pipeline"] if gx and i == 0 else [])
            for suite in suites:
                # --jobs > 1 for the news suite only: the speed-up target is about it.
                for j in jobs if i == 0 and suite == "news" else [1]:
                    runs.append(suite if j == 1 else f"{suite} -j{j}")
                if dask and i == 0 and suite == "news":
                    runs.append(f"{suite} dask")
            out.append((Corpus(layout, Spec(n, per_file=LAYOUTS[layout])), runs))
        if near:
            spec = Spec(n, per_file=LAYOUTS[layouts[0]], near_copies=0.10)
            out.append((Corpus("near", spec), [s for s in suites if s == "news"] or suites[:1]))
    return out


def _verdict(value: float, target: float, most: bool) -> str:
    ok = value <= target if most else value >= target
    return "PASS" if ok else "MISS"


def ratios(rows: list[Row]) -> list[str]:
    """The printed ratio lines, each against its target (wall time unless said)."""
    got = {(r.corpus.key, r.corpus.spec.articles, r.run): r.got for r in rows}
    sizes = sorted({r.corpus.spec.articles for r in rows})
    first = rows[0].corpus.key if rows else "one"
    lines: list[str] = []

    def line(
        label: str, value: float, target: float, most: bool, unit: str = "x", cpu: str = ""
    ) -> None:
        sign = "<=" if most else ">="
        shown = f"{value:8.2f}{unit}" if unit == "x" else f"{value:5.0f} {unit}"
        aim = f"{sign} {target:g}{unit}"
        lines.append(f"  {label:<44} {shown}  {aim:<10} {_verdict(value, target, most)}{cpu}")

    def cpu(a: Measured, b: Measured, scale: float = 1.0) -> str:
        return f"  (CPU time {a.cpu / b.cpu * scale:.2f}x)" if b.cpu else ""

    def ok(key: tuple[str, int, str]) -> Measured | None:
        m = got.get(key)
        return m if m is not None and m.status == "ok" else None

    for n in sizes:
        tag = size_label(n)
        gx = ok((first, n, "gx pipeline"))
        for suite, target in (("mission", 0.5), ("news", 1.0)):
            mine = got.get((first, n, suite))
            if gx and mine:
                value = mine.wall / gx.wall if mine.status == "ok" else float("inf")
                line(f"{suite} / GX pipeline time, {tag}", value, target, True, cpu=cpu(mine, gx))
        one, two = got.get((first, n, "news")), got.get((first, n, "news -j2"))
        if one and two and one.status == two.status == "ok":
            line(f"news -j1 / -j2 time (speed-up), {tag}", one.wall / two.wall, 1.7, False)
        dask, two_ok = ok((first, n, "news dask")), ok((first, n, "news -j2"))
        if dask and two_ok:
            lines.append(
                f"  {'news dask (2 workers) / -j2 time, ' + tag:<48} "
                f"{dask.wall / two_ok.wall:8.2f}x  (no target)"
            )
        news = ok((first, n, "news"))
        if news:
            line(f"news peak RSS, {tag}", news.peak_mib, 500, True, "MiB")
    if len(sizes) >= 2:
        small, large = sizes[-2], sizes[-1]
        tag = f"{size_label(large)} / {size_label(small)}"
        for key in sorted({r.corpus.key for r in rows}):
            a, b = got.get((key, small, "news")), got.get((key, large, "news"))
            if a and b and a.status == "ok":
                per = (b.wall / large) / (a.wall / small) if b.status == "ok" else float("inf")
                on_cpu = cpu(b, a, small / large)
                line(f"news time per article {tag}, {key}", per, 1.10, True, cpu=on_cpu)
        a, b = ok((first, small, "news")), got.get((first, large, "news"))
        if a and b and b.status == "ok":
            line(f"news peak RSS {tag}", b.peak_mib / a.peak_mib, 1.20, True)
    for n in sizes:
        floor, news = ok((first, n, "floor")), ok((first, n, "news"))
        if floor and news:
            lines.append(
                f"  {'news / read floor time, ' + size_label(n):<48} "
                f"{news.wall / floor.wall:8.2f}x  (no target)"
            )
    return lines


def _row_text(r: Row) -> str:
    g = r.got
    per = g.wall / r.corpus.spec.articles * 1e6
    status = "" if g.status == "ok" else f"  {g.status.upper()} (exit {g.returncode})"
    return (
        f"{r.corpus.label:<28} {r.run:<12} {g.wall:8.1f} {g.cpu:8.1f} {g.peak_mib:8.0f} "
        f"{g.tree_mib:8.0f} {per:8.0f}{status}"
    )


def reference(args: argparse.Namespace, workdir: Path) -> list[Row]:
    """Generate (or reuse) the corpora, run every planned measurement in a fresh process and
    print the table and the ratios."""
    import os

    sizes = [parse_size(s) for s in args.sizes.split(",")]
    layouts = args.layouts.split(",")
    suites = args.suites.split(",")
    jobs = [int(j) for j in args.jobs.split(",")]
    todo = plan(
        sizes,
        layouts,
        suites,
        jobs,
        near=not args.no_near,
        gx=not args.no_gx,
        dask=not args.no_dask and importlib.util.find_spec("distributed") is not None,
    )
    print(
        f"toolkit check against a read floor and a GX pipeline, {os.cpu_count()} cores; "
        f"wall and CPU in s, peak RSS in MiB (largest process; tree: all processes, "
        f"sampled), µs of wall per article; {Spec(1).defective:.0%} of articles defective"
    )
    print(
        f"{'corpus':<28} {'run':<12} {'wall':>8} {'cpu':>8} {'peak':>8} {'tree':>8} {'µs/art':>8}"
    )
    rows: list[Row] = []
    env = _env()
    for corpus, runs in todo:
        clock = time.perf_counter()
        path, manifest = ensure_corpus(workdir, corpus.spec)
        made = time.perf_counter() - clock
        if made > 1:
            print(
                f"  (wrote {manifest['articles']} articles in {manifest['files']} files, "
                f"{made:.0f} s)"
            )
        for run in runs:
            got = measure_run(run, path, args.timeout, workdir, env)
            row = Row(corpus, run, got)
            rows.append(row)
            print(_row_text(row), flush=True)
            if got.status == "failed":
                print("    " + "\n    ".join(got.stderr.strip().splitlines()[-5:]))
    print("\nratios (same run; wall time against the target, CPU time beside it):")
    print("\n".join(ratios(rows)) or "  (none: too few runs)")
    return rows


def measure_run(run: str, corpus: Path, timeout: float, cwd: Path, env: dict[str, str]) -> Measured:
    return process.run(command(run, corpus), timeout, cwd, env)


# --- profile summary ---------------------------------------------------------------------------


def profile(args: argparse.Namespace, workdir: Path) -> None:
    """The functions where `toolkit check` spends its time on a corpus, sampled by py-spy
    (all processes) when it is installed, else measured by cProfile (this process only)."""
    import shutil

    n = parse_size(args.profile_size)
    spec = Spec(n, per_file=LAYOUTS[args.layouts.split(",")[0]])
    path, _ = ensure_corpus(workdir, spec)
    run = args.profile_suite
    if args.profile_jobs > 1:
        run = f"{run} -j{args.profile_jobs}"
    cmd = command(run, path)
    out = workdir / "profile.txt"
    beside = Path(sys.executable).parent / "py-spy"  # installed in the same environment
    spy = str(beside) if beside.exists() else shutil.which("py-spy")
    env = _env()
    if spy:
        sampler = [
            spy,
            "record",
            "--nonblocking",
            "--subprocesses",
            "--rate",
            "50",
            "--format",
            "raw",
            "--output",
            str(out),
            "--",
        ]
        got = process.run(sampler + cmd, args.timeout, workdir, env)
        if got.status == "ok" and out.exists():
            print(
                f"profile of `toolkit check --suite {run}` on {Corpus('one', spec).label} "
                f"(py-spy, {got.wall:.0f} s):"
            )
            print("\n".join(summarise_collapsed(out.read_text(encoding="utf-8"))))
            return
        print(f"py-spy could not sample ({got.stderr.strip()[-200:]}); cProfile instead")
    cprofiled = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", *cmd[2:]]
    got = process.run(cprofiled, args.timeout, workdir, env)
    print(
        f"profile of `toolkit check --suite {run}` on {Corpus('one', spec).label} "
        f"(cProfile, parent process only, {got.wall:.0f} s):"
    )
    print("\n".join(summarise_pstats(out)))


def _frame_name(frame: str) -> str:
    """``function (path/to/module.py:12)`` as ``module.function``."""
    name, _, where = frame.partition(" (")
    if where.startswith("<frozen importlib"):
        return "(importing modules)"  # one name for the import machinery's frames
    module = where.split(":")[0].rsplit("/", 1)[-1].removesuffix(".py")
    return f"{module}.{name}" if module else name


def summarise_collapsed(text: str, top: int = 15) -> list[str]:
    """Shares of the samples of a py-spy raw (collapsed) profile: inclusive (a function
    anywhere in the stack) and own (the top frame) for the heaviest functions, and the time of
    each innermost toolkit function with what it calls in libraries (pandas, pyarrow, pandera,
    datasketch), which is where the toolkit's own choices cost."""
    from collections import Counter

    total = 0
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    for raw in text.splitlines():
        stack, _, count = raw.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        # With --subprocesses the first frame names the process ("process 12:"cmd"").
        raw_frames = [f for f in stack.split(";") if " (" in f and not f.startswith("process ")]
        if not raw_frames:
            continue
        frames = [_frame_name(f) for f in raw_frames]
        samples = int(count)
        total += samples
        own[frames[-1]] += samples
        for name in set(frames):
            inclusive[name] += samples
        mine = [n for f, n in zip(raw_frames, frames, strict=True) if "toolkit/" in f]
        ours[mine[-1] if mine else frames[-1]] += samples
    if not total:
        return ["  (no samples)"]
    out = [f"  {total} samples; inclusive share (own share) of the heaviest functions:"]
    shown = [n for n, _ in inclusive.most_common() if inclusive[n] < total * 0.98][:top]
    out += [f"  {inclusive[n] / total:6.1%} ({own[n] / total:5.1%})  {n}" for n in shown]
    out.append("  heaviest own time:")
    out += [f"  {c / total:6.1%}  {n}" for n, c in own.most_common(top)]
    out.append("  by innermost toolkit function (with the library code it calls):")
    out += [f"  {c / total:6.1%}  {n}" for n, c in ours.most_common(top)]
    return out


def summarise_pstats(path: Path, top: int = 15) -> list[str]:
    import io
    import pstats

    buf = io.StringIO()
    stats = pstats.Stats(str(path), stream=buf)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return ["  " + ln for ln in buf.getvalue().splitlines() if ln.strip()]


# --- the command line --------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,200k", help="articles per corpus: 10k,200k,1M")
    parser.add_argument("--layouts", default="one,20", help="articles per file: one, 20")
    parser.add_argument("--suites", default="mission,news", help="suites: mission, news")
    parser.add_argument("--jobs", default="1,2", help="--jobs values on the first layout")
    parser.add_argument("--no-near", action="store_true", help="no near-copy corpus")
    parser.add_argument("--no-gx", action="store_true", help="no GX pipeline baseline")
    parser.add_argument("--no-dask", action="store_true", help="no --engine dask run")
    parser.add_argument("--quick", action="store_true", help="10k articles, one a file")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per run")
    parser.add_argument("--workdir", type=Path, help="keep and reuse the corpora here")
    parser.add_argument("--profile", action="store_true", help="a profile summary instead")
    parser.add_argument("--profile-size", default="10k")
    parser.add_argument("--profile-suite", default="news", choices=list(_SUITES))
    parser.add_argument("--profile-jobs", type=int, default=1)
    parser.add_argument(
        "--engines", action="store_true", help="the in-process engine comparison instead"
    )
    parser.add_argument("--articles", type=int, default=20000, help="articles of --engines")
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
    parser.add_argument(
        "--index-only", action="store_true", help="only the archive index build and lookup"
    )
    parser.add_argument("--archived", default="100k,1M", help="archive sizes of --index-only")
    parser.add_argument("--incoming", type=int, default=10_000, help="incoming of --index-only")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.layouts = "10k", "one"
    with tempfile.TemporaryDirectory() as tmp:
        if args.feeds_only:
            feed_ratios(Path(tmp), args.records, args.suite.resolve())
            return
        if args.hostile_only or args.engines:
            engines(args, Path(tmp))
            return
        workdir = args.workdir.resolve() if args.workdir else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if args.index_only:
            sizes = [parse_size(s) for s in args.archived.split(",")]
            index_ratios(workdir, sizes, args.incoming, args.suite.resolve())
            return
        if args.profile:
            profile(args, workdir)
            return
        reference(args, workdir)
        if args.feeds:
            feed_ratios(Path(tmp), args.records, args.suite.resolve())


_INDEX_RUNNERS = {
    "index build": (
        "from toolkit.expectations.corpus import NearDuplicate\n"
        "from toolkit.index import build\n"
        "n = build(Path(index), [Path(corpus)], NearDuplicate()).articles\n"
    ),
    "check": (
        "from toolkit.engine import check\n"
        "from toolkit.suite import load_suite\n"
        "r = check([Path(incoming)], [load_suite(suite)])\n"
        "n = r.summary.articles\n"
    ),
    "check --against": (
        "from toolkit.engine import check\n"
        "from toolkit.index import ArchiveIndex, arm\n"
        "from toolkit.suite import load_suite\n"
        "archive = ArchiveIndex.open(Path(index))\n"
        "suites = [load_suite(suite)]\n"
        "arm(suites, archive)\n"
        "r = check([Path(incoming)], suites, against=archive)\n"
        "n = r.summary.articles\n"
        "print('findings', {k: v for k, v in r.summary.findings.items()}, file=sys.stderr)\n"
    ),
}


def index_ratios(workdir: Path, sizes: list[int], incoming_size: int, suite: Path) -> None:
    """Build an index of each archive size, then check one incoming corpus without and with
    it; times, peak memory and ratios (see the module docstring)."""
    import shutil

    incoming = workdir / f"incoming-{incoming_size}"
    if not incoming.is_dir():
        fresh, _ = ensure_corpus(
            workdir, Spec(incoming_size, per_file=1000, defective=0.05, seed=8)
        )
        shutil.copytree(fresh, incoming)
    peaks: dict[int, float] = {}
    for n in sizes:
        archive, _ = ensure_corpus(workdir, Spec(n, per_file=1000, defective=0.05))
        first = min(p for p in archive.rglob("*.txt"))
        shutil.copy(first, incoming / "archived-copy.txt")
        index = workdir / f"archive-{n}.idx"
        shutil.rmtree(index, ignore_errors=True)
        prelude = f"index, incoming = {str(index)!r}, {str(incoming)!r}\n"
        print(f"archive {size_label(n)}, incoming {incoming_size + 1000} articles:")
        got: dict[str, tuple[float, float, int]] = {}
        for name in _INDEX_RUNNERS:
            clock = time.perf_counter()
            result = measure(name, archive, suite, _INDEX_RUNNERS, prelude)
            assert result is not None
            got[name] = result
            _shown(name, result, clock)
        build, plain, against = got["index build"], got["check"], got["check --against"]
        peaks[n] = against[1]
        size = sum(f.stat().st_size for f in index.iterdir()) / 2**20
        print(
            f"  index on disk              {size:8.0f} MiB ({size * 2**20 / n:.0f} bytes/article)"
        )
        print(f"  build time per article     {build[0] / n * 1e6:8.1f} us")
        print(f"  lookup time (against-plain) {against[0] - plain[0]:7.2f} s")
        print(
            f"  check --against / check    {against[0] / plain[0]:8.2f}x time, "
            f"{against[1] / plain[1]:.2f}x peak memory"
        )
    if len(peaks) > 1:
        lo, hi = min(peaks), max(peaks)
        print(
            f"peak memory of check --against, {size_label(hi)} / {size_label(lo)} archived: "
            f"{peaks[hi] / peaks[lo]:.2f}x"
        )


def engines(args: argparse.Namespace, tmp: Path) -> None:
    """The engines in-process (reading alone, pandera, -j2, the GX engine) on ``--articles``,
    then the hostile 2 MB bodies; with --hostile-only, only those."""
    if not args.hostile_only:
        corpus = tmp / "engines"
        corpus.mkdir()
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
            _shown(name, got, clock)
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
    hostile = tmp / "hostile"
    hostile.mkdir()
    timed = hostile_ratios(hostile, args.suite.resolve())
    base_time = timed["ordinary"][0]
    print("\n2 MB bodies, check time against a 2 MB ordinary body (best of 3, same run):")
    for name, (seconds, found) in timed.items():
        print(f"  {name:<16} {seconds:6.2f} s  {seconds / base_time:6.2f}x  {found} findings")


if __name__ == "__main__":
    main()
