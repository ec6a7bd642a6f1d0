"""The pre-commit hook (.pre-commit-hooks.yaml), run by pre-commit itself in a temporary git
repository: it fails on a broken dump and passes on a clean one.

The hook is declared ``language: python``, which makes pre-commit build a virtualenv and
install this package from its repository (dependencies from the network). Offline, the test
runs the same hook definition as a ``repo: local`` hook with ``language: system``: the
installed toolkit, with pre-commit's own file selection, serial run and exit-code handling.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import BROKEN, CLEAN, ROOT, SUITES

pytest.importorskip("pre_commit")
if shutil.which("git") is None:
    pytest.skip("git is not installed", allow_module_level=True)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "archive"
    repo.mkdir()
    git(repo, "init", "-q")
    shutil.copytree(SUITES, repo / "expectations")
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    local = {**hook, "language": "system"}
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    (repo / "dumps").mkdir()
    shutil.copy(next(CLEAN.glob("001_*.txt")), repo / "dumps")
    (repo / "README.md").write_text("not a dump\n")
    return repo


def pre_commit(repo: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    git(repo, "add", "-A")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        # The toolkit of this checkout, wherever the test runs from.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
    }
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_hook_passes_a_clean_dump(repo: Path, tmp_path: Path) -> None:
    proc = pre_commit(repo, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "toolkit check (news article dumps)" in proc.stdout
    assert "Passed" in proc.stdout


def test_the_hook_fails_a_broken_dump_and_names_it(repo: Path, tmp_path: Path) -> None:
    shutil.copy(BROKEN / "tags_empty.txt", repo / "dumps")
    proc = pre_commit(repo, tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Failed" in proc.stdout
    assert "- exit code: 1" in proc.stdout
    assert "✗ tags_non_empty  1 failing" in proc.stdout
    assert "dumps/tags_empty.txt:1" in proc.stdout
    assert "README.md" not in proc.stdout
