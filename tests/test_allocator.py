"""The command line's allocator settings: set in its own process only, never on import."""

from __future__ import annotations

import gc
import platform
import subprocess
import sys

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from tests.conftest import CLEAN
from toolkit.allocator import YOUNG_COLLECTION
from toolkit.cli import app

PROBE = """
import pyarrow as pa
import toolkit.engine  # importing the library changes nothing
before = pa.default_memory_pool().backend_name
from toolkit.allocator import for_judging, for_long_runs
for_judging()  # not tuned: no effect
tuned = for_long_runs()
for_judging()
print(before, pa.default_memory_pool().backend_name, tuned)
"""


def probe() -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    return out.stdout.split()


def test_a_long_run_allocates_arrow_buffers_through_malloc_and_importing_does_not() -> None:
    before, after, _ = probe()
    assert before != "system"
    assert after == "system"


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_glibc_malloc_is_tuned_for_a_long_run() -> None:
    assert probe()[2] == "True"


def test_toolkit_check_runs_tuned() -> None:
    previous, collection = pa.default_memory_pool(), gc.get_threshold()
    try:
        result = CliRunner().invoke(app, ["check", "--quiet", str(CLEAN)])
        assert result.exit_code == 0, result.output
        assert pa.default_memory_pool().backend_name == "system"
        assert gc.get_threshold()[0] == YOUNG_COLLECTION
    finally:
        pa.set_memory_pool(previous)
        gc.set_threshold(*collection)


def test_importing_leaves_the_garbage_collector_as_it_is() -> None:
    code = (
        "import gc; t = gc.get_threshold(); import toolkit.engine, toolkit.cli; "
        "print(t == gc.get_threshold())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
