"""`toolkit fixtures generate` and `toolkit fixtures verify` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SEED, SUITES
from toolkit.cli import app

runner = CliRunner()
SHIPPED = sorted(SUITES.glob("*.yaml"))
SMALL = """suite: small
expectations:
  - expect: date_parseable
  - expect: tags_non_empty
  - expect: byline_has_email
    severity: warning
"""


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("suite", SHIPPED, ids=lambda p: p.stem)
def test_generate_then_verify_scores_100_percent_on_every_shipped_suite(
    tmp_path: Path, suite: Path
) -> None:
    code, out, err = invoke("fixtures", "generate", "--suite", suite, "--out", tmp_path)
    assert (code, err) == (0, "")
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert f"and {len(manifest['mutants'])} mutants for suite {manifest['suite']}" in out
    listed = [ln.split()[:4] for ln in out.splitlines()[1:]]
    assert listed == [[m["file"], "must", "fail", m["id"]] for m in manifest["mutants"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["clean.txt", "manifest.json", *(m["file"] for m in manifest["mutants"])]
    )

    code, out, err = invoke("fixtures", "verify", "--suite", suite, tmp_path)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert f"{tmp_path}/clean.txt passes every expectation" in lines[1]
    caught = [ln.split()[1] for ln in lines if ln.strip().startswith("caught")]
    assert caught == [m["id"] for m in manifest["mutants"]]
    n = len(caught)
    assert lines[-1] == f"mutation score: {n}/{n} (100%)"


def test_verify_exits_1_and_names_the_mutant_that_survives_a_weakened_suite(
    tmp_path: Path,
) -> None:
    fixtures = tmp_path / "fx"
    suite = tmp_path / "small.yaml"
    suite.write_text(SMALL, encoding="utf-8")
    assert invoke("fixtures", "generate", "-s", suite, "-o", fixtures)[0] == 0
    assert invoke("fixtures", "verify", "-s", suite, fixtures)[0] == 0
    suite.write_text(SMALL.replace("date_parseable", "date_parseable\n    mostly: 0"))
    code, out, _ = invoke("fixtures", "verify", "--suite", suite, fixtures)
    assert code == 1
    line = next(ln for ln in out.splitlines() if "date_parseable" in ln)
    assert line.split()[0] == "SURVIVED"
    assert line.endswith(f"{fixtures}/date_parseable.txt: it passed (1 failed, within mostly: 0)")
    assert out.splitlines()[-1] == "mutation score: 2/3 (67%)"


def test_verify_exits_1_when_the_clean_article_fails(tmp_path: Path) -> None:
    suite = tmp_path / "small.yaml"
    suite.write_text(SMALL, encoding="utf-8")
    invoke("fixtures", "generate", "-s", suite, "-o", tmp_path)
    clean = tmp_path / "clean.txt"
    clean.write_text(clean.read_text(encoding="utf-8").replace(" date 2025-", " date 25-"))
    code, out, _ = invoke("fixtures", "verify", "-s", suite, tmp_path)
    assert code == 1
    assert (
        f"FAILED       {tmp_path}/clean.txt:1: the clean article fails date_parseable: "
        "the header date '25-04-22' is not in YYYY-MM-DD form"
    ) in out


def test_generate_from_a_dump_file_and_its_errors(tmp_path: Path) -> None:
    suite = tmp_path / "small.yaml"
    suite.write_text(SMALL, encoding="utf-8")
    mine = tmp_path / "mine.txt"
    mine.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    # The seed's byline holds Cloudflare's placeholder: a warning in this suite, but the
    # article to mutate must fail nothing at all.
    out_dir = tmp_path / "o"
    code, _, err = invoke("fixtures", "generate", "-s", suite, "--from", mine, "-o", out_dir)
    assert code == 2
    assert f"{mine}:1: the article to mutate must pass every expectation of suite small" in err
    assert "fails byline_has_email: the byline holds Cloudflare's" in err
    assert not out_dir.exists()

    address = "[seo.jieun@joongang.co.kr]"
    mine.write_text(SEED.read_text(encoding="utf-8").replace("[[email\u00a0protected]]", address))
    code, out, _ = invoke("fixtures", "generate", "-s", suite, "--from", mine, "-o", out_dir)
    assert code == 0 and f"(from {mine}:1)" in out
    clean = (out_dir / "clean.txt").read_text(encoding="utf-8")
    assert clean.startswith(" date 2025-03-11  South Korea tentatively agrees")
    assert invoke("fixtures", "verify", "-s", suite, out_dir)[0] == 0

    missing = tmp_path / "no.txt"
    code, _, err = invoke("fixtures", "generate", "-s", suite, "--from", missing, "-o", tmp_path)
    assert (code, err.strip()) == (2, f"toolkit: error: --from {missing}: no such file")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    code, _, err = invoke("fixtures", "verify", "--suite", "newz", tmp_path)
    assert code == 2 and "no such suite file or name" in err and "did you mean 'news'?" in err
    code, _, err = invoke("fixtures", "verify", "--suite", "news", tmp_path)
    assert code == 2 and f"{tmp_path}/manifest.json: no manifest" in err
    code, _, err = invoke("fixtures", "verify", "--suite", "news", tmp_path / "none")
    assert (code, err.strip()) == (2, f"toolkit: error: no such directory: {tmp_path}/none")
    code, _, err = invoke("fixtures", "generate", "--suite", "news")
    assert code == 2 and "--out" in err


def test_verify_exits_3_when_no_expectation_can_be_broken(tmp_path: Path) -> None:
    suite = tmp_path / "files.yaml"
    suite.write_text("suite: files\nexpectations:\n  - expect: file_readable\n", encoding="utf-8")
    code, out, _ = invoke("fixtures", "generate", "-s", suite, "-o", tmp_path / "fx")
    assert code == 0 and "no mutant for file_readable: its definition has no breaker" in out
    code, out, _ = invoke("fixtures", "verify", "-s", suite, tmp_path / "fx")
    assert code == 3
    assert "mutation score: 0/0 (n/a)" in out
    assert "nothing to verify: no expectation of files can be broken" in out
