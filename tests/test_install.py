"""The package installs like a real one: a wheel built from the checkout, installed in a
fresh virtual environment outside it, checks a corpus with a shipped suite by name and runs
the pytest plugin's two-liner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import BROKEN, CLEAN, ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; the dependencies come from this environment
    (a .pth line), so the test needs no network, and the toolkit itself only from the wheel."""
    work = tmp_path_factory.mktemp("install")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(work / "dist"),
            str(ROOT),
        ],
        check=True,
        cwd=work,
    )
    (wheel,) = (work / "dist").glob("news_corpus_toolkit-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)  # ensurepip: pip from its bundled wheel, offline
    python = env_dir / "bin" / "python"
    target = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Away from the checkout: `python -m pip` puts its folder on the path, and the checkout's
    # egg-info would make pip take the wheel for installed already.
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        cwd=work,
        env=clean,
    )
    # Then the dependencies from this environment (after the wheel: pip must not find the
    # checkout's own install there and skip the wheel); a .pth adds the folder, and its own
    # .pth files (the checkout's editable install) are not run: the checkout is not importable.
    Path(target, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", "utf-8")
    return env_dir


def _run(env_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_wheel_checks_a_corpus_with_a_shipped_suite_outside_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    for name in ("tags_empty.txt", "body_empty.txt"):
        (incoming / name).write_bytes((BROKEN / name).read_bytes())
    where = _run(
        installed,
        tmp_path,
        str(installed / "bin" / "python"),
        "-c",
        "import toolkit; print(toolkit.__file__)",
    )
    assert str(installed) in where.stdout, where.stderr
    result = _run(
        installed,
        tmp_path,
        str(installed / "bin" / "toolkit"),
        "check",
        "incoming",
        "--suite",
        "news",
        "--no-color",
    )
    assert result.returncode == 1, result.stderr
    assert "suite news  (toolkit/suites/news.yaml)" in result.stdout
    assert "incoming/tags_empty.txt:1" in result.stdout
    # No suite named and no expectations/ folder here: the shipped news suite runs.
    default = _run(
        installed,
        tmp_path,
        str(installed / "bin" / "toolkit"),
        "check",
        "incoming",
        "-q",
        "--no-color",
    )
    assert default.returncode == 1 and "suite" not in default.stderr


def test_wheel_pytest_plugin_two_liner(installed: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "dumps"
    corpus.mkdir()
    for path in sorted(CLEAN.glob("*.txt"))[:3]:
        (corpus / path.name).write_bytes(path.read_bytes())
    (tmp_path / "test_dumps.py").write_text(
        "def test_dumps(check_corpus):\n    assert check_corpus('dumps', suite='news')\n",
        "utf-8",
    )
    result = _run(
        installed,
        tmp_path,
        str(installed / "bin" / "python"),
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "test_dumps.py",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def _readme_workflow() -> dict[str, Any]:
    """The GitHub Actions workflow the README shows (the yaml block of "In GitHub Actions")."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### In GitHub Actions", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("\n```", 1)[0]
    workflow: dict[str, Any] = yaml.safe_load(block)
    return workflow


def test_the_readme_workflow_runs_as_written_outside_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    """Every `run:` step of the README's workflow, in a fresh repository of dumps with the
    wheel's environment on PATH (the install line as written, offline from the built wheel);
    then the files each `uses:` step reads exist and are what that action expects."""
    (job,) = _readme_workflow()["jobs"].values()
    repo = tmp_path / "repo"
    incoming = repo / "incoming"
    incoming.mkdir(parents=True)
    for path in (*sorted(CLEAN.glob("*.txt"))[:3], BROKEN / "tags_empty.txt"):
        (incoming / path.name).write_bytes(path.read_bytes())
    summary = tmp_path / "step-summary.md"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{installed / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["GITHUB_STEP_SUMMARY"] = str(summary)
    codes = []
    for step in job["steps"]:
        script = step.get("run")
        if script is None:
            continue
        name = step.get("name", script)
        if script.startswith("pip install "):
            assert script == "pip install news-corpus-toolkit"
            script += f" --no-index --find-links {installed.parent / 'dist'}"
        done = subprocess.run(
            ["bash", "-e", "-c", script], cwd=repo, env=env, capture_output=True, text=True
        )
        codes.append((name, done.returncode, done.stderr))
    assert [c[:2] for c in codes] == [
        ("pip install news-corpus-toolkit", 0),
        ("toolkit check", 1),  # tags_empty.txt: a critical finding
        ("Step summary", 0),
    ], codes
    assert summary.read_text(encoding="utf-8").startswith("## toolkit check ❌ failed")
    uses = {s["uses"].split("@")[0]: s.get("with", {}) for s in job["steps"] if "uses" in s}
    sarif = json.loads((repo / uses["github/codeql-action/upload-sarif"]["sarif_file"]).read_text())
    assert sarif["version"] == "2.1.0"
    assert any(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "incoming/tags_empty.txt"
        for r in sarif["runs"][0]["results"]
    )
    junit = repo / uses["mikepenz/action-junit-report"]["report_paths"]
    assert junit.read_text(encoding="utf-8").startswith("<?xml")
    kept = repo / uses["actions/upload-artifact"]["path"]
    assert {p.name for p in kept.iterdir()} >= {"report.html", "result.json", "summary.md"}
