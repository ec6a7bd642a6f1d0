"""The pytest plugin, run in projects of its own with pytester: fixtures, the readable failing
assert, corpus collection with --corpus/--suite and the ini options."""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import CORPORA, SUITES
from toolkit.article import Article
from toolkit.pytest_plugin import (
    ArticleBreaker,
    ArticleMaker,
    CheckedCorpus,
    CorpusChecker,
    CorpusLoader,
)

pytest_plugins = ["pytester"]

SMALL = """suite: small
expectations:
  - expect: date_parseable
  - expect: tags_non_empty
  - expect: headline_in_body
  - expect: byline_has_email
    severity: warning
"""
BROKEN = ("tags_empty.txt", "date_impossible.txt", "byline_no_email.txt")


def run(project: pytest.Pytester, *args: str | Path) -> pytest.RunResult:
    """pytest in this process. The plugin module is imported already, so pytest cannot rewrite
    its asserts again and would warn about it; that warning belongs to in-process runs only."""
    return project.runpytest(
        "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning", *args
    )


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with clean and broken dumps and two suites: the shipped news suite and a
    small one whose findings on the broken files are known exactly."""
    shutil.copytree(CORPORA / "clean", pytester.path / "corpora" / "clean")
    broken = pytester.path / "corpora" / "broken"
    broken.mkdir()
    for name in BROKEN:
        shutil.copy(CORPORA / "broken" / name, broken / name)
    suites = pytester.path / "expectations"
    suites.mkdir()
    shutil.copy(SUITES / "news.yaml", suites / "news.yaml")
    (suites / "small.yaml").write_text(SMALL, encoding="utf-8")
    return pytester


# --- a fresh project --------------------------------------------------------------------------


def test_a_fresh_project_checks_a_corpus_with_a_two_line_test_file(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(
        test_corpus="""
        def test_clean_dumps(check_corpus):
            assert check_corpus("corpora/clean", suite="news")
        """
    )
    # A new process: the plugin is found through its pytest11 entry point, as after install.
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_failing_corpus_fails_with_the_expectations_and_articles(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(
        test_corpus="""
        def test_broken_dumps(check_corpus):
            assert check_corpus("corpora/broken", suite="small")
        """
    )
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       AssertionError: assert <toolkit Result: FAILED date_parseable, "
            "tags_non_empty in 3 articles>",
            "E        +  where <toolkit Result: *> = check_corpus('corpora/broken', suite='small')",
            "E       toolkit: 2 critical expectations failed on 3 articles in 3 files:",
            "E         date_parseable (critical): 1 of 3 failed (66.7% passed)",
            "E           corpora/broken/date_impossible.txt:1: the header date '2025-02-30' is not "
            "a real calendar date *",
            "E               2025-02-30",
            "E         tags_non_empty (critical): 1 of 3 failed (66.7% passed)",
            "E           corpora/broken/tags_empty.txt:1 (tags at line 19): the 'tags' line holds "
            "no tag",
            "E       warnings: byline_has_email (1 failed)",
        ]
    )


def test_the_explanation_goes_only_to_the_assert_that_failed_on_it(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(
        test_corpus="""
        def test_expected_failure_then_another(check_corpus):
            result = check_corpus("corpora/broken", suite="small")
            assert not result
            assert result.summary.articles == 4
        """
    )
    result = run(project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E       AssertionError: assert 3 == 4"])
    result.stdout.no_fnmatch_line("*critical expectations failed*")


def test_an_empty_corpus_is_not_a_passing_one(project: pytest.Pytester) -> None:
    (project.path / "corpora" / "empty").mkdir()
    project.makepyfile(
        test_corpus="""
        def test_empty(check_corpus):
            assert check_corpus("corpora/empty", suite="small")
        """
    )
    result = run(project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E       toolkit: nothing was checked: no input files in *empty"])


# --- corpus collection ------------------------------------------------------------------------


def test_corpus_and_suite_options_collect_one_item_per_expectation(
    project: pytest.Pytester,
) -> None:
    result = run(project, "--corpus", "corpora/broken", "--suite", "small", "--co", "-q")
    result.stdout.fnmatch_lines(
        [
            "expectations/small.yaml::file_readable",
            "expectations/small.yaml::date_parseable",
            "expectations/small.yaml::tags_non_empty",
            "expectations/small.yaml::headline_in_body",
            "expectations/small.yaml::byline_has_email",
            "5 tests collected*",
        ]
    )


def test_collected_items_report_per_expectation(project: pytest.Pytester) -> None:
    junit = project.path / "gate.xml"
    result = run(
        project,
        "--corpus",
        "corpora/broken",
        "--suite",
        "expectations/small.yaml",
        f"--junitxml={junit}",
        "-rA",
    )
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ small::date_parseable _*",
            "small::date_parseable (critical): 1 of 3 failed (66.7% passed)",
            "    corpora/broken/date_impossible.txt:1: the header date '2025-02-30' is not a "
            "real calendar date *",
            "        2025-02-30",
            "  expected: The header date is a real YYYY-MM-DD date and the Published: line parses.",
            "  fix: Fix the scraper's date extraction*",
            "*toolkit: expectations failing at severity warning*",
            "small::byline_has_email (warning): 1 of 3 failed (66.7% passed)",
            "    corpora/broken/byline_no_email.txt:1 (byline at line *): the byline has no "
            "email address in brackets*",
            "FAILED expectations/small.yaml::date_parseable - small::date_parseable (criti*",
            "FAILED expectations/small.yaml::tags_non_empty - small::tags_non_empty (criti*",
        ]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    assert list(cases) == [
        "file_readable",
        "date_parseable",
        "tags_non_empty",
        "headline_in_body",
        "byline_has_email",
    ]
    assert {c.get("classname") for c in cases.values()} == {"expectations.small.yaml"}
    failure = cases["tags_non_empty"].find("failure")
    assert failure is not None
    assert "corpora/broken/tags_empty.txt:1" in (failure.text or "")
    assert cases["byline_has_email"].find("failure") is None
    props = {p.get("name"): p.get("value") for p in cases["tags_non_empty"].iter("property")}
    assert props == {"severity": "critical", "checked": "3", "failed": "1"}


def test_k_and_m_select_among_corpus_items(project: pytest.Pytester) -> None:
    project.makepyfile(test_unit="def test_unit():\n    assert True\n")
    args = ["--corpus", "corpora/clean", "--suite", "small"]
    result = run(project, *args, "-k", "tags or headline")
    result.assert_outcomes(passed=2, deselected=4)
    result = run(project, *args, "-m", "corpus", "-k", "critical")
    result.assert_outcomes(passed=4, deselected=2)


def test_ini_options_set_the_corpus_and_suites_once(project: pytest.Pytester) -> None:
    project.makeini(
        """
        [pytest]
        corpus_paths = corpora/clean corpora/broken
        corpus_suites = small
        """
    )
    result = run(project, "-q")
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(
        ["FAILED expectations/small.yaml::date_parseable - *", "*2 failed, 3 passed*"]
    )
    # The command line wins over the ini file.
    result = run(project, "--corpus", "corpora/clean")
    result.assert_outcomes(passed=5)


def test_ini_paths_are_taken_from_the_ini_file_s_directory(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\ncorpus_paths = corpora/clean\ncorpus_suites = small\n")
    sub = project.path / "sub"
    sub.mkdir()
    result = run(project, f"--rootdir={project.path}", str(sub))
    result.assert_outcomes(passed=5)


def test_a_broken_suite_is_a_usage_error_naming_file_and_line(project: pytest.Pytester) -> None:
    bad = project.path / "expectations" / "bad.yaml"
    bad.write_text("suite: bad\nexpectations:\n  - expect: tags_non_emty\n", encoding="utf-8")
    result = run(project, "--corpus", "corpora", "--suite", "bad")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*toolkit: expectations/bad.yaml:3: unknown expectation 'tags_non_emty': did you mean*"]
    )
    result = run(project, "--corpus", "nowhere")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*toolkit: no such corpus file or directory: nowhere*"])


def test_an_empty_corpus_fails_every_collected_item(project: pytest.Pytester) -> None:
    (project.path / "corpora" / "empty").mkdir()
    result = run(project, "--corpus", "corpora/empty", "--suite", "small")
    result.assert_outcomes(failed=5)
    result.stdout.fnmatch_lines(["toolkit: nothing was checked: no input files in corpora/empty"])


def test_bad_entries_in_a_corpus_fail_only_file_readable_with_a_short_message(
    project: pytest.Pytester,
) -> None:
    """A non-UTF-8 name, a FIFO and a file that cannot be read: the first is checked under
    its escaped name, the FIFO is listed as not read, the third fails file_readable alone."""
    broken = project.path / "corpora" / "broken"
    shutil.copy(broken / "tags_empty.txt", os.fsencode(broken) + b"/caf\xe9.txt")
    os.mkfifo(broken / "pipe.txt")
    (broken / "mem.txt").symlink_to("/proc/self/mem")  # a read error, even for root
    result = run(project, "--corpus", "corpora/broken", "--suite", "small")
    result.assert_outcomes(passed=2, failed=3)
    result.stdout.fnmatch_lines(
        [
            "small::file_readable (critical): 1 of 5 failed (80.0% passed)",
            "    corpora/broken/mem.txt:1: cannot read the file: Input/output error",
            "*toolkit: 1 entries of the corpus not read*",
            "corpora/broken/pipe.txt: not a regular file: a FIFO (named pipe)",
        ]
    )
    result.stdout.fnmatch_lines(["    corpora/broken/caf\\xe9.txt:1*the 'tags' line holds no tag"])
    assert "Traceback" not in result.stdout.str()
    assert len(result.stdout.lines) < 120


def test_a_crash_in_the_shared_run_is_one_short_line_per_item(
    project: pytest.Pytester,
) -> None:
    project.makeconftest(
        """
        import toolkit.engine

        real = toolkit.engine.check

        def boom(*args, **kwargs):
            raise RuntimeError("disk on fire")

        # pytester runs in this process: the engine is put back when the run ends.
        def pytest_configure(config):
            toolkit.engine.check = boom

        def pytest_unconfigure(config):
            toolkit.engine.check = real
        """
    )
    result = run(project, "--corpus", "corpora/broken", "--suite", "small")
    result.assert_outcomes(failed=5)
    result.stdout.fnmatch_lines(
        ["toolkit: the check of the corpus failed: RuntimeError: disk on fire (run *"]
    )
    assert "Traceback" not in result.stdout.str()


# --- the article fixtures, in this very session (the plugin is installed) ---------------------


def test_make_article_and_break_article(
    make_article: ArticleMaker, break_article: ArticleBreaker, check_corpus: CorpusChecker
) -> None:
    good = make_article(headline="Seoul opens its ninth subway line", file="good.txt")
    bad = break_article("tags_non_empty", good)
    assert isinstance(bad, Article) and (bad.headline, bad.tags) == (good.headline, [])
    assert check_corpus([good], suite="news")
    result = check_corpus([good, make_article(bad, file="bad.txt")], suite="news")
    assert isinstance(result, CheckedCorpus) and not result
    critical = [(f.id, f.file, f.line) for f in result.findings if f.severity == "critical"]
    assert critical == [("tags_non_empty", "bad.txt", 1)]
    # The two share their body and headline: the corpus expectations of news warn about it.
    warned = {f.id for f in result.findings if f.severity == "warning"}
    assert {"body_unique", "headline_unique"} <= warned
    assert make_article.text(tags=["Seoul"]).endswith("\ntags Seoul\n")
    assert break_article.text("tags_non_empty").endswith("\ntags\n")


def test_make_article_write_gives_a_file_the_reader_checks(
    tmp_path: Path, make_article: ArticleMaker, check_corpus: CorpusChecker
) -> None:
    path = make_article.write(tmp_path / "one.txt", date="2024-05-07")
    assert "Published: 7 May 2024, 16:05" in path.read_text(encoding="utf-8")
    result = check_corpus(path, suite=SUITES / "news.yaml")
    assert result and result.summary.files == 1


def test_news_corpus_loads_files_and_keeps_what_could_not_be_read(
    news_corpus: CorpusLoader,
) -> None:
    corpus = news_corpus("corpora/broken")
    problems = {Path(o.file).name: [p.kind for p in o.problems] for o in corpus.outcomes()}
    assert problems["empty.txt"] == ["empty"] and problems["binary_gzip.txt"] == ["binary"]
    assert problems["tags_empty.txt"] == []
    assert len(corpus) == len(corpus.articles) == sum(1 for _ in corpus)
    assert {Path(a.file).name for a in corpus} >= {"tags_empty.txt", "multi_second_broken.txt"}
    with pytest.raises(FileNotFoundError, match=r"no such file or directory: .*nowhere"):
        news_corpus("corpora/nowhere")
    with pytest.raises(pytest.UsageError, match="no path given and no corpus configured"):
        news_corpus()
