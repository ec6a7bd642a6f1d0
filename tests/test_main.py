"""`python -m toolkit` and shell completion."""

from __future__ import annotations

import os
import subprocess
import sys

from typer.testing import CliRunner

from tests.conftest import ROOT, SEED, SUITES
from toolkit import __version__
from toolkit.cli import app


def test_python_dash_m_runs_the_same_command_line() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    version = subprocess.run(
        [sys.executable, "-m", "toolkit", "--version"], capture_output=True, text=True, env=env
    )
    assert version.stdout == f"toolkit {__version__}\n"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit",
            "check",
            str(SEED),
            "-s",
            str(SUITES / "joongang.yaml"),
            "-q",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("FAILED · failed expectations: 1 critical")


def test_shell_completion_is_offered() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert "--install-completion" in result.stdout
    assert "--show-completion" in result.stdout
