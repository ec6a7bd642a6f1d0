"""The Dask engine: groups of files checked on the workers of a Dask cluster.

The same run as the local engine, spread over a cluster: each task reads and checks a group of
files (``toolkit.engine.check_files``) into a ``Partial`` on a worker, partials are merged in
a tree on the workers (``merge``), and the client assembles the Result (``finish``). The
corpus expectations that say how (duplicates, near-duplicates, headlines: toolkit.shards) are
judged in shards on the workers: each group's sightings are cut by key or LSH band, each shard
is judged where it was gathered, and only near-duplicate pairs and findings reach the client,
so that no process holds every sighting. A worker that dies mid-run has its tasks run again
elsewhere; the Result is the same.

``--scheduler tcp://HOST:PORT`` (or ``DASK_SCHEDULER_ADDRESS``) runs on an existing cluster,
whose workers must have toolkit (and any installed expectation plugin) installed and see the
inputs: local paths on shared storage, or fsspec URLs. Without it the run starts a
``distributed.LocalCluster`` of ``--jobs`` worker processes and stops it at the end, on error
or Ctrl-C too. Dask is imported only when this engine runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit import __version__
from toolkit.engine import (
    EngineError,
    ExpectationFailure,
    Key,
    Partial,
    add_verdicts,
    check_files,
    finish,
    judged,
    merge,
    sharded_keys,
)
from toolkit.expectations.base import CorpusExpectation
from toolkit.filenumbers import FileNumbers
from toolkit.findings import CarriedLog
from toolkit.readers import shown_path
from toolkit.readers.formats import ReadOptions
from toolkit.readers.remote import (
    RemoteError,
    discover_inputs,
    is_url,
    missing_inputs,
    reading_for,
)
from toolkit.result import ExitCode, Result, RunInfo, Severity
from toolkit.shards import (
    ByBand,
    ByKey,
    Matches,
    Pairs,
    Sharding,
    combine,
    routes,
    shard_pairs,
    shard_verdicts,
)
from toolkit.sightings import Sightings
from toolkit.suite import Suite, SuiteEntry, fold_shared

if TYPE_CHECKING:
    from distributed import Client

    from toolkit.engines import RunRequest

# How long a scheduler may take to answer before the run gives up on it.
CONNECT_TIMEOUT = 10
# A task whose code raised is run again this many times; a task on a worker that died is
# rescheduled by the scheduler itself (up to distributed.scheduler.allowed-failures times).
RETRIES = 3
# Tasks per worker: several keep every worker busy when file sizes differ.
TASKS_PER_WORKER = 4
# Partials merged per merge task: a tree of this fan-in, so that no process merges them all.
MERGE_FAN_IN = 8
# Shards of each sharded corpus expectation, per worker (at least two): each shard's sightings
# are gathered and judged on one worker.
SHARDS_PER_WORKER = 1
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
EXTRA_HINT = "--engine dask needs Dask: pip install 'news-corpus-toolkit[dask]'"


class SchedulerUnreachable(EngineError):
    """The scheduler named by --scheduler did not answer: the run could not start."""

    # Not a usage error: the same command works once the cluster is up (README, Exit codes).
    exit_code = ExitCode.ERROR


def run(request: RunRequest) -> Result:
    """Check the request's targets on a Dask cluster; the Result is the local engine's."""
    try:
        import cloudpickle
        import distributed  # noqa: F401  (the extra's presence, before any work)
    except ImportError:
        raise EngineError(EXTRA_HINT) from None
    suites = fold_shared(request.suites)
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    reading = reading_for(request.reading)
    try:
        missing = missing_inputs(request.targets)
        if missing:
            raise EngineError(f"no such file or directory: {', '.join(missing)}")
        found = discover_inputs(request.targets, request.include_hidden, reading.exclude)
    except RemoteError as exc:
        raise EngineError(str(exc)) from None
    files = list(zip(found.files, found.labels, strict=True))
    file_order = FileNumbers([label for _, label in files])
    address = request.options.get("scheduler") or os.environ.get(SCHEDULER_ENV) or None
    payload = _pickled(suites, cloudpickle)
    with _client(address, request.jobs) as client:
        total = _run_tasks(
            client,
            suites,
            files,
            payload,
            file_order,
            request.batch_size,
            request.limits,
            reading,
            request.on_progress,
        )
    run_info = RunInfo(
        tool_version=__version__,
        paths=[t if is_url(t) else shown_path(Path(t)) for t in request.targets],
        suites=[s.file for s in suites],
        started=started,
        duration_s=round(time.perf_counter() - clock, 4),
        **found.run_fields(),
    )
    return finish(
        suites, total, run_info, file_order, request.limits, request.history, request.against
    )


@contextmanager
def _client(address: str | None, jobs: int) -> Iterator[Client]:
    """A client of the cluster at ``address``, or of a LocalCluster started (and always
    stopped) here."""
    from distributed import Client, LocalCluster

    if address is not None:
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SchedulerUnreachable(
                f"cannot reach the Dask scheduler at {address} within {CONNECT_TIMEOUT} s "
                f"({exc}); start it (dask scheduler) or check --scheduler / {SCHEDULER_ENV}"
            ) from None
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=max(1, jobs),
            threads_per_worker=1,
            processes=True,
            # A run of the command line, not a service: on this host only, no dashboard, and
            # the scheduler's HTTP routes on a free port (never a clash at 8787), no log lines.
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        yield client


def _pickled(suites: list[Suite], cloudpickle: Any) -> bytes:
    """The suites as bytes for the workers. A suite's plugin modules are pickled by value:
    their expectations may hold lambdas, and the workers of another machine may not have
    the module on their import path. Installed plugins and toolkit go by reference."""
    modules = {name for s in suites for name in s.plugins if name in sys.modules}
    registered = []
    for name in sorted(modules):
        try:
            cloudpickle.register_pickle_by_value(sys.modules[name])
        except ValueError:  # a module of an installed package: by reference, as toolkit's
            continue
        registered.append(name)
    try:
        data: bytes = cloudpickle.dumps(suites)
    finally:
        for name in registered:
            cloudpickle.unregister_pickle_by_value(sys.modules[name])
    return data


def _groups(files: list[tuple[Path, str]], workers: int) -> list[list[tuple[Path, str]]]:
    """Runs of consecutive files, several per worker."""
    if not files:
        return [[]]
    size = math.ceil(len(files) / max(1, workers * TASKS_PER_WORKER))
    return [files[i : i + size] for i in range(0, len(files), size)]


def _run_tasks(
    client: Client,
    suites: list[Suite],
    files: list[tuple[Path, str]],
    payload: bytes,
    file_order: Mapping[str, int],
    batch_size: int,
    limits: Mapping[Severity, int | None],
    reading: ReadOptions,
    on_progress: Any,
) -> Partial:
    from distributed import as_completed

    workers = max(1, len(client.scheduler_info().get("workers", {})))
    key = hashlib.sha256(payload).hexdigest()[:16]
    checks = [
        client.submit(
            _check_group,
            key,
            payload,
            group,
            file_order,
            batch_size,
            limits,
            reading,
            retries=RETRIES,
            pure=False,
        )
        for group in _groups(files, workers)
    ]
    level: list[Any] = checks
    band_findings: list[BandShards] = []
    if sharded_keys(suites):
        level, band_findings = _submit_shards(client, suites, key, payload, checks, workers)
    while len(level) > 1:
        level = [
            client.submit(_merge, *level[i : i + MERGE_FAN_IN], retries=RETRIES, pure=False)
            for i in range(0, len(level), MERGE_FAN_IN)
        ]
    if on_progress is not None:
        counts = [client.submit(_counts, c, retries=RETRIES, pure=False) for c in checks]
        done = [0, 0]
        for future in as_completed(counts, loop=client.loop):
            n_files, n_articles = future.result()
            done[0] += n_files
            done[1] += n_articles
            on_progress(done[0], done[1])
    total: Partial = level[0].result()
    if band_findings:
        total = merge([total, *_band_partials(client, key, payload, band_findings)])
    return total


# One sharded expectation judged by band: its key, and each shard's held sightings.
BandShards = tuple[Key, list[Any]]


def _submit_shards(
    client: Client,
    suites: list[Suite],
    key: str,
    payload: bytes,
    checks: list[Any],
    workers: int,
) -> tuple[list[Any], list[BandShards]]:
    """The tasks that judge the sharded expectations: each check's sightings routed to the
    shards, each shard gathered on one worker and judged there. Returns the partials to merge
    (the checks without those sightings, the shards judged by key) and the band shards left
    for the sequential rule (``_band_partials``)."""
    sharded = sharded_keys(suites)
    shards = max(2, workers * SHARDS_PER_WORKER)
    submit = client.submit
    routed = [
        submit(_route, key, payload, c, sharded, shards, retries=RETRIES, pure=False)
        for c in checks
    ]
    parts = [submit(_stripped, c, sharded, retries=RETRIES, pure=False) for c in checks]
    bands: list[BandShards] = []
    for i, entry_key in enumerate(sharded):
        held = [
            submit(
                _held,
                *(submit(_pick, r, i, s, retries=RETRIES, pure=False) for r in routed),
                retries=RETRIES,
                pure=False,
            )
            for s in range(shards)
        ]
        if isinstance(_sharding(_entry_of(suites, entry_key)[1]), ByKey):
            parts += [
                submit(_judge_by_key, key, payload, entry_key, h, retries=RETRIES, pure=False)
                for h in held
            ]
        else:
            bands.append((entry_key, held))
    return parts, bands


def _band_partials(
    client: Client, key: str, payload: bytes, bands: list[BandShards]
) -> list[Partial]:
    """The band-sharded expectations' verdicts: each shard's pairs to the client, the
    sequential rule over them (``toolkit.shards.combine``), each verdict written on the
    worker holding its shard."""
    submit = client.submit
    written = []
    for entry_key, held in bands:
        pairs = client.gather(
            [
                submit(
                    _pairs, key, payload, entry_key, s, len(held), h, retries=RETRIES, pure=False
                )
                for s, h in enumerate(held)
            ]
        )
        for h, matches in zip(held, combine(pairs), strict=True):
            written.append(
                submit(
                    _judge_by_band, key, payload, entry_key, h, matches, retries=RETRIES, pure=False
                )
            )
    parts: list[Partial] = client.gather(written)
    return parts


# --- on the workers ---------------------------------------------------------------------------

_suites_by_key: dict[str, list[Suite]] = {}


def _worker_suites(key: str, payload: bytes) -> list[Suite]:
    """The suites of a run, unpickled once per worker process (a worker runs many tasks)."""
    suites = _suites_by_key.get(key)
    if suites is None:
        import cloudpickle

        _suites_by_key.clear()  # one run's suites at a time
        suites = _suites_by_key[key] = cloudpickle.loads(payload)
    return suites


def _check_group(
    key: str,
    payload: bytes,
    files: list[tuple[Path, str]],
    file_order: Mapping[str, int],
    batch_size: int,
    limits: Mapping[Severity, int | None],
    reading: ReadOptions,
) -> Partial:
    part = check_files(files, _worker_suites(key, payload), file_order, batch_size, limits, reading)
    return _carried(part)


def _merge(*parts: Partial) -> Partial:
    return _carried(merge(parts))


def _carried(part: Partial) -> Partial:
    """The partial with its findings' rows in its pickle: the spill files of a worker are on
    the worker's machine, not the client's."""
    part.findings = CarriedLog.of(part.findings)
    return part


def _counts(part: Partial) -> tuple[int, int]:
    return part.files, part.articles


def _entry_of(suites: list[Suite], entry_key: Key) -> tuple[Suite, SuiteEntry]:
    for suite in suites:
        if suite.name == entry_key[0]:
            for entry in suite.entries:
                if entry.id == entry_key[1]:
                    return suite, entry
    raise KeyError(entry_key)


def _sharding(entry: SuiteEntry) -> Sharding:
    exp = entry.expectation
    if not isinstance(exp, CorpusExpectation) or exp.shards is None:
        raise TypeError(f"{entry.id} is not judged in shards")
    return exp.shards


def _route(
    key: str, payload: bytes, part: Partial, sharded: list[Key], shards: int
) -> list[list[Sightings]]:
    """A group's sightings of each sharded expectation, cut into its shards."""
    suites = _worker_suites(key, payload)
    out = []
    for entry_key in sharded:
        seen = part.sightings.get(entry_key, Sightings.empty())
        entry = _entry_of(suites, entry_key)[1]
        sharding = _sharding(entry)
        if not len(seen):
            out.append([seen] * shards)
            continue
        out.append([seen.take(at) for at in routes(seen, sharding, entry.params, shards)])
    return out


def _pick(routed: list[list[Sightings]], i: int, shard: int) -> Sightings:
    return routed[i][shard]


def _stripped(part: Partial, sharded: list[Key]) -> Partial:
    """The group's partial without the sharded expectations' sightings, which their shards
    judge: marked judged, so that finish() leaves them."""
    out = Partial(
        **{**part.__dict__, "sightings": dict(part.sightings), "judged": set(part.judged)}
    )
    for entry_key in sharded:
        out.sightings.pop(entry_key, None)
        out.judged.add(entry_key)
    return _carried(out)


def _held(*pieces: Sightings) -> Sightings:
    """One shard's sightings, from every group, in corpus order."""
    return Sightings.concat(pieces).ordered()


def _judge_by_key(key: str, payload: bytes, entry_key: Key, seen: Sightings) -> Partial:
    """A shard judged whole by the expectation's own judge."""
    suite, entry = _entry_of(_worker_suites(key, payload), entry_key)
    assert isinstance(entry.expectation, CorpusExpectation)
    part = Partial(judged={entry_key})
    try:
        verdicts = judged(entry.expectation, seen, entry.params)
    except ExpectationFailure as exc:
        part.fail(entry_key, str(exc))
        return _carried(part)
    add_verdicts(part, suite, entry, seen, verdicts)
    return _carried(part)


def _pairs(
    key: str, payload: bytes, entry_key: Key, shard: int, shards: int, seen: Sightings
) -> Pairs:
    entry = _entry_of(_worker_suites(key, payload), entry_key)[1]
    sharding = _sharding(entry)
    assert isinstance(sharding, ByBand)
    return shard_pairs(seen, sharding, entry.params, (shard, shards))


def _judge_by_band(
    key: str, payload: bytes, entry_key: Key, seen: Sightings, matches: Matches
) -> Partial:
    """The verdicts the sequential rule gave one band shard, written where its sightings are."""
    suite, entry = _entry_of(_worker_suites(key, payload), entry_key)
    sharding = _sharding(entry)
    assert isinstance(sharding, ByBand)
    part = Partial(judged={entry_key})
    add_verdicts(part, suite, entry, seen, shard_verdicts(seen, sharding, entry.params, matches))
    return _carried(part)


__all__: Sequence[str] = ("CONNECT_TIMEOUT", "SchedulerUnreachable", "run")
