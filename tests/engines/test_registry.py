"""The engine seam: engines are chosen by name through toolkit.engines, declare their own
options, and a new engine is one module plus one registry line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import ROOT, SEED, SUITES
from toolkit.cli import app
from toolkit.engines import ENGINES, check, engine

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stderr


def test_an_unknown_engine_is_a_usage_error_with_a_suggestion() -> None:
    code, err = invoke("check", str(SEED), "--engine", "pandra")
    assert code == 2
    assert "toolkit: error: no engine 'pandra' (did you mean 'pandera'?): the engines are" in err


def test_an_option_of_another_engine_is_refused() -> None:
    code, err = invoke("check", str(SEED), "--data-docs", "docs")
    assert code == 2
    assert "toolkit: error: --data-docs is an option of --engine gx" in err


def test_jobs_with_an_engine_that_runs_in_one_process_is_refused() -> None:
    code, err = invoke("check", str(SEED), "--engine", "gx", "-j", "2")
    assert code == 2
    assert "--jobs runs work in processes; --engine gx runs in one" in err


def test_a_url_for_an_engine_that_reads_local_paths_is_refused() -> None:
    local = [s.name for s in ENGINES.values() if not s.urls]
    code, err = invoke("check", "s3://bucket/dumps/", "--engine", local[0])
    assert code == 2
    assert f"s3://bucket/dumps/ is a URL: --engine {local[0]} reads local paths" in err


def test_the_api_runs_a_named_engine_like_the_command_line() -> None:
    from toolkit.suite import load_suite

    result = check([SEED], [load_suite(SUITES / "news.yaml")], "pandera")
    assert result.summary.articles == 1 and result.run.engine == engine("pandera").name


def test_a_new_engine_is_one_module_and_one_registry_line(tmp_path: Path) -> None:
    """An engine module outside the package, registered by one line before the command line
    is built: its option appears in `toolkit check --help` and reaches it; nothing else knows
    it by name."""
    (tmp_path / "echo_engine.py").write_text(
        "from toolkit.engines import local\n"
        "def run(request):\n"
        "    result = local.run(request)\n"
        "    open(request.options['label'], 'w').write(str(result.summary.articles))\n"
        "    return result\n",
        encoding="utf-8",
    )
    marker = tmp_path / "ran.txt"
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "from toolkit.engines import ENGINES, EngineOption, EngineSpec\n"
        "ENGINES['echo'] = EngineSpec('echo', 'the default engine, and a note', 'echo_engine',"
        " options=(EngineOption('label', '--label', 'Where to write the count.', 'FILE'),))\n"
        "from typer.testing import CliRunner\n"
        "from toolkit.cli import app\n"
        "r = CliRunner().invoke(app, ['check', '--help'])\n"
        "text = ' '.join(r.stdout.split())\n"
        "print(json.dumps(['--label FILE' in text, 'echo: the default engine' in text]))\n"
        f"r = CliRunner().invoke(app, ['check', {str(SEED)!r}, '--engine', 'echo',"
        f" '--label', {str(marker)!r}, '-q'])\n"
        "print(r.exit_code)\n"
    ).replace("import sys\n", "import json, sys\n", 1)
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert proc.returncode == 0, proc.stderr
    helped, exit_code = proc.stdout.splitlines()
    assert json.loads(helped) == [True, True]
    assert exit_code in ("0", "1")
    assert marker.read_text(encoding="utf-8") == "1"


def test_the_command_line_does_not_know_engines_by_name() -> None:
    source = (ROOT / "toolkit" / "commands" / "check.py").read_text(encoding="utf-8")
    source += (ROOT / "toolkit" / "cli.py").read_text(encoding="utf-8")
    for name in ENGINES:
        if name != "pandera":  # the default's name is the registry's DEFAULT_ENGINE
            assert f'"{name}"' not in source and f"'{name}'" not in source
    assert "gx_engine" not in source and "data_docs" not in source
