"""The dask engine agrees with the local engine finding for finding: over the shipped suites
and corpora, generated articles, URLs (memory://, file://), and a worker killed mid-run."""

from __future__ import annotations

import json
import logging
import multiprocessing
import shutil
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("distributed")
import fsspec
from distributed import Client, LocalCluster

from tests.bench.corpora import Spec, write_corpus
from tests.benchmark import make_corpus
from tests.conftest import BROKEN, CLEAN, CORPORA, SUITES
from toolkit.engine import DEFAULT_LIMITS, check
from toolkit.engines import RunRequest
from toolkit.engines import dask as dask_engine
from toolkit.readers.discover import NOT_INPUT
from toolkit.readers.formats import DEFAULT_READING
from toolkit.result import ExitCode, Result
from toolkit.suite import Suite, load_suite

# Small batches: several per task, so the findings budget runs across them.
BATCH = 40
SHIPPED = sorted(SUITES.glob("*.yaml"))
SHIPPED_CORPORA = sorted(p for p in CORPORA.iterdir() if p.is_dir())


def start_cluster() -> LocalCluster:
    return LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=logging.ERROR,
    )


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    # One cluster of two worker processes for this module's runs on an existing scheduler:
    # starting one costs seconds of worker start-up (each imports pandas and pandera).
    with start_cluster() as c:
        yield c


def request(
    targets: list[str], suites: list[Suite], jobs: int = 2, **options: str | None
) -> RunRequest:
    return RunRequest(
        targets=targets,
        suites=suites,
        batch_size=BATCH,
        jobs=jobs,
        limits=DEFAULT_LIMITS,
        include_hidden=False,
        reading=DEFAULT_READING,
        on_progress=None,
        options=options,
    )


def comparable(result: Result, rename: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The Result without the run's clock; files renamed (a URL for a local path)."""
    data = result.model_dump(mode="json")
    data["run"].pop("started")
    data["run"].pop("duration_s")
    if rename is not None:
        data["run"].pop("paths")
        for f in data["findings"]:
            f["file"] = rename[f["file"]]
    return data


def same_but_for_names(remote: Result, local: Result, prefix: str) -> bool:
    """The same Result, finding for finding, with files named under a URL ``prefix`` instead
    of the local directory (in findings and in messages that name another file)."""
    folder = local.findings[0].file.rsplit("/", 1)[0] + "/"
    want, got = comparable(local), comparable(remote)
    for run in (want["run"], got["run"]):
        for key in ("paths", "skipped", "skipped_files"):
            run.pop(key)
    return json.dumps(got).replace(prefix, folder) == json.dumps(want)


def test_dask_agrees_with_the_local_engine_on_every_shipped_suite_and_corpus(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    generated = tmp_path / "generated"
    generated.mkdir()
    make_corpus(generated, 600, defective=0.1)
    targets = [*(str(p) for p in SHIPPED_CORPORA), str(generated)]
    for suite_path in SHIPPED:
        suites = [load_suite(suite_path)]
        for target in targets:
            local = check([Path(target)], suites, batch_size=BATCH)
            dask = dask_engine.run(request([target], suites, scheduler=cluster.scheduler_address))
            assert comparable(dask) == comparable(local), (suite_path.name, target)
    # Every suite at once over every corpus, as `toolkit check corpora --suite ...` runs.
    suites = [load_suite(p) for p in SHIPPED]
    local = check([Path(t) for t in targets], suites, batch_size=BATCH)
    dask = dask_engine.run(request(targets, suites, scheduler=cluster.scheduler_address))
    assert comparable(dask) == comparable(local)
    assert local.findings and {f.expectation for f in local.findings} >= {
        "file_readable",
        "body_unique",
        "body_near_duplicate",
        "headline_unique",
    }


def test_a_corpus_read_through_memory_urls(cluster: LocalCluster) -> None:
    def fill() -> None:  # the same store on the client and on every worker process
        fs = fsspec.filesystem("memory")
        for path in sorted(BROKEN.iterdir()):
            fs.pipe(f"/corpus/{path.name}", path.read_bytes())
        fs.pipe("/corpus/.hidden/x.txt", b"not read")
        fs.pipe("/corpus/notes.md", b"not an input")

    fill()
    with Client(cluster, set_as_default=False) as client:
        client.run(fill)
        suites = [load_suite(SUITES / "news.yaml")]
        seen: list[tuple[int, int]] = []
        req = request(["memory://corpus"], suites, scheduler=cluster.scheduler_address)
        req = RunRequest(**{**req.__dict__, "on_progress": lambda f, a: seen.append((f, a))})
        remote = dask_engine.run(req)
        client.run(lambda: fsspec.filesystem("memory").rm("/corpus", recursive=True))
    fsspec.filesystem("memory").rm("/corpus", recursive=True)
    local = check([BROKEN], suites, batch_size=BATCH)
    assert [s.path for s in remote.run.skipped] == [
        "memory://corpus/.hidden",
        "memory://corpus/notes.md",
    ]
    assert [s.reason for s in remote.run.skipped] == [
        "a hidden directory; --include-hidden walks it",
        NOT_INPUT,
    ]
    assert same_but_for_names(remote, local, "memory://corpus/")
    assert remote.run.paths == ["memory://corpus"]
    assert seen[-1] == (local.summary.files, local.summary.articles)


def test_a_corpus_read_through_file_urls(cluster: LocalCluster) -> None:
    suites = [load_suite(SUITES / "news.yaml")]
    url = CLEAN.resolve().as_uri()
    remote = dask_engine.run(request([url], suites, scheduler=cluster.scheduler_address))
    local = check([CLEAN], suites, batch_size=BATCH)
    assert remote.findings and all(f.file.startswith(f"{url}/") for f in remote.findings)
    assert same_but_for_names(remote, local, f"{url}/")


def test_an_unreachable_scheduler_is_a_clear_error_exit_4(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", 2)
    suites = [load_suite(SUITES / "news.yaml")]
    clock = time.perf_counter()
    with pytest.raises(dask_engine.SchedulerUnreachable) as caught:
        dask_engine.run(request([str(CLEAN)], suites, scheduler="tcp://127.0.0.1:9"))
    assert time.perf_counter() - clock < 10
    assert str(caught.value).startswith(
        "cannot reach the Dask scheduler at tcp://127.0.0.1:9 within 2 s ("
    )
    assert caught.value.exit_code == ExitCode.ERROR == 4


def test_the_scheduler_address_comes_from_the_environment_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", 1)
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:9")
    with pytest.raises(dask_engine.SchedulerUnreachable, match=r"tcp://127\.0\.0\.1:9"):
        dask_engine.run(request([str(CLEAN)], [load_suite(SUITES / "news.yaml")]))


def test_a_missing_url_is_named() -> None:
    with pytest.raises(
        dask_engine.EngineError, match=r"^no such file or directory: memory://nope$"
    ):
        dask_engine.run(
            request(["memory://nope"], [load_suite(SUITES / "news.yaml")], scheduler="unused")
        )


PLUGIN = """
import dataclasses, os
from pathlib import Path
from toolkit.expectations.tags import tags_non_empty

MARKER = Path({marker!r})


def _dies_once(batch, params):
    # The first worker to get here dies, as a machine lost mid-run would.
    if not MARKER.exists():
        MARKER.write_text("died", encoding="utf-8")
        os._exit(1)
    return tags_non_empty.check(batch, params)


# A lambda: it pickles only by value (cloudpickle), as plugin code may.
EXPECTATIONS = [
    dataclasses.replace(tags_non_empty, name="dies_once", check=lambda b, p: _dies_once(b, p))
]
"""


def test_a_worker_killed_mid_run_leaves_the_result_unchanged(tmp_path: Path) -> None:
    marker = tmp_path / "died"
    (tmp_path / "dies_once_plugin.py").write_text(PLUGIN.format(marker=str(marker)), "utf-8")
    suite_file = tmp_path / "team.yaml"
    shutil.copy(SUITES / "news.yaml", tmp_path / "news.yaml")
    suite_file.write_text(
        "suite: team\nextends: news.yaml\nplugins: [dies_once_plugin]\nexpectations:\n"
        "  - expect: dies_once\n",
        encoding="utf-8",
    )
    suites = [load_suite(suite_file)]
    seen: list[tuple[int, int]] = []
    before = {p.pid for p in multiprocessing.active_children()}
    # No --scheduler: the run starts a LocalCluster of --jobs workers and stops it.
    req = request([str(BROKEN), str(CLEAN)], suites, jobs=2)
    req = RunRequest(**{**req.__dict__, "on_progress": lambda f, a: seen.append((f, a))})
    result = dask_engine.run(req)
    assert marker.read_text(encoding="utf-8") == "died"  # a worker did die
    local = check([BROKEN, CLEAN], suites, batch_size=BATCH)
    assert comparable(result) == comparable(local)
    stats = {s.expectation: s for s in result.suites[0].expectations}
    assert stats["dies_once"].checked == local.summary.articles
    assert seen[-1] == (local.summary.files, local.summary.articles)
    # The run's own cluster is stopped: none of its worker processes is left.
    assert not [p for p in multiprocessing.active_children() if p.pid not in before]


def test_the_client_gets_no_sighting_of_an_expectation_judged_in_shards(
    cluster: LocalCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Templated near-copies, and the shipped duplicate pairs.
    write_corpus(tmp_path, Spec(600, per_file=20, defective=0.1, near_copies=0.1), flat=True)
    targets = [str(tmp_path), str(BROKEN), str(CLEAN)]
    suites = [load_suite(SUITES / "news.yaml")]
    totals: list[Any] = []

    def finish(suites: Any, total: Any, *args: Any) -> Result:
        totals.append(total)
        return real_finish(suites, total, *args)

    real_finish = dask_engine.finish
    monkeypatch.setattr(dask_engine, "finish", finish)
    result = dask_engine.run(request(targets, suites, scheduler=cluster.scheduler_address))
    sharded = {("news", i) for i in ("body_unique", "body_near_duplicate", "headline_unique")}
    assert set(dask_engine.sharded_keys(suites)) == sharded
    (total,) = totals
    assert not sharded & set(total.sightings) and sharded <= total.judged
    local = check([Path(t) for t in targets], suites, batch_size=BATCH)
    assert comparable(result) == comparable(local)
    failed = {s.expectation: s.failed for s in local.suites[0].expectations}
    assert failed["body_near_duplicate"] > 30  # the templated copies
    assert failed["body_unique"] and failed["headline_unique"]


SHARD_PLUGIN = """
import dataclasses, os
from pathlib import Path
from toolkit.expectations.corpus import body_unique
from toolkit.shards import ByKey

MARKER = Path({marker!r})


def _judge(seen, params):
    # The first worker to judge a shard with sightings in it dies.
    if len(seen) and not MARKER.exists():
        MARKER.write_text("died", encoding="utf-8")
        os._exit(1)
    return body_unique.judge_columns(seen, params)


EXPECTATIONS = [
    dataclasses.replace(
        body_unique, name="shard_dies_once", judge_columns=_judge, shards=ByKey("body", "has_body")
    )
]
"""


def test_a_worker_killed_while_judging_a_shard_leaves_the_result_unchanged(
    tmp_path: Path,
) -> None:
    marker = tmp_path / "died"
    (tmp_path / "shard_dies_plugin.py").write_text(SHARD_PLUGIN.format(marker=str(marker)), "utf-8")
    suite_file = tmp_path / "team.yaml"
    suite_file.write_text(
        "suite: team\nplugins: [shard_dies_plugin]\nexpectations:\n"
        "  - expect: shard_dies_once\n  - expect: body_unique\n",
        encoding="utf-8",
    )
    suites = [load_suite(suite_file)]
    result = dask_engine.run(request([str(BROKEN), str(CLEAN)], suites, jobs=2))
    assert marker.read_text(encoding="utf-8") == "died"
    local = check([BROKEN, CLEAN], suites, batch_size=BATCH)
    assert comparable(result) == comparable(local)
    stats = {s.expectation: s for s in result.suites[0].expectations}
    assert stats["shard_dies_once"].failed == stats["body_unique"].failed > 0
