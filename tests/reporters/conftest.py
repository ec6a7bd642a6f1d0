"""Results to report on, and a real headless Chromium to open HTML reports in."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import BROKEN, CLEAN, SEED, SUITES
from toolkit.engine import check
from toolkit.result import (
    ExpectationStats,
    Finding,
    Result,
    RunInfo,
    Severity,
    SuiteResult,
    summarise,
)
from toolkit.suite import Suite, load_suite, parse_suite

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Request

DATA = Path(__file__).resolve().parent / "data"
HOSTILE = DATA / "hostile"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def stats(
    suite: str, id: str, severity: Severity, checked: int, failed: int, mostly: float | None = None
) -> ExpectationStats:
    rate = (checked - failed) / checked if checked else 1.0
    return ExpectationStats(
        suite=suite,
        id=id,
        expectation=id,
        description=f"what {id} checks",
        severity=severity,
        field="byline" if "byline" in id else "date",
        checked=checked,
        failed=failed,
        success_rate=rate,
        mostly=mostly,
        passed=failed == 0 or (mostly is not None and rate >= mostly),
    )


def make_result(suites: list[SuiteResult], findings: list[Finding], articles: int) -> Result:
    return Result(
        run=RunInfo(
            tool_version="0.1.0",
            paths=["dumps"],
            suites=[s.file for s in suites],
            started=dt.datetime(2025, 3, 12, 8, 30, tzinfo=dt.UTC),
            duration_s=1.23456,
        ),
        summary=summarise(files=articles, articles=articles, suites=suites, findings=findings),
        suites=suites,
        findings=findings,
    )


def finding(
    id: str,
    severity: Severity,
    file: str,
    line: int,
    excerpt: str = "",
    spans: list[tuple[int, int]] | None = None,
    suite: str = "news",
    **extra: Any,
) -> Finding:
    values: dict[str, Any] = {
        "field": "byline" if "byline" in id else "date",
        "field_line": line + 3,
        "message": f"{id} fails here",
        "fingerprint": hashlib.sha1(f"{suite}/{id}/{file}:{line}".encode()).hexdigest()[:20],
        "date": "2025-03-11",
        "headline": f"Headline of {file}:{line}",
    }
    values.update(extra)
    return Finding(
        suite=suite,
        expectation=id,
        id=id,
        severity=severity,
        file=file,
        line=line,
        excerpt=excerpt,
        spans=spans or [],
        **values,
    )


@pytest.fixture
def small_result() -> Result:
    """Two suites; a critical failure, a warning, and an info expectation that passes under
    ``mostly``; excerpts with a no-break space, the Cloudflare placeholder and an address."""
    suites = [
        SuiteResult(
            name="news",
            file="expectations/news.yaml",
            passed=False,
            expectations=[
                stats("news", "byline_has_email", "critical", 10, 2),
                stats("news", "date_parseable", "warning", 10, 1),
                stats("news", "tags_non_empty", "info", 10, 1, mostly=0.8),
            ],
        ),
        SuiteResult(
            name="strict",
            file="expectations/strict.yaml",
            passed=True,
            expectations=[stats("strict", "date_parseable", "critical", 10, 0)],
        ),
    ]
    findings = [
        finding(
            "byline_has_email",
            "critical",
            "dumps/a.txt",
            1,
            "BY SEO JI-EUN [[email\u00a0protected]]",
            [(15, 32)],
        ),
        finding(
            "byline_has_email",
            "critical",
            "dumps/b.txt",
            40,
            "BY KIM [kim@example.com] and Lee",
            [(8, 23)],
            message="'kim@example.com' is not the desk's address",
            headline="Kim (kim@example.com) reports",
        ),
        finding(
            "date_parseable",
            "warning",
            "dumps/c.txt",
            7,
            "2025-02-30",
            [(0, 10)],
            date="2025-02-30",
        ),
        finding("tags_non_empty", "info", "dumps/d.txt", 1, "tags", date="2024-12-01"),
    ]
    return make_result(suites, findings, articles=10)


@pytest.fixture(scope="session")
def corpus_result() -> Result:
    """A real run over the seed, the clean and the broken corpora."""
    return check([SEED.parent, CLEAN, BROKEN], [load_suite(str(SUITES / "news.yaml"))])


def big_result(n: int) -> Result:
    """``n`` findings spread over four expectations, files and dates."""
    severities: list[Severity] = ["critical", "warning", "info", "critical"]
    ids = ["byline_has_email", "date_parseable", "tags_non_empty", "headline_in_body"]
    suite = SuiteResult(
        name="news",
        file="expectations/news.yaml",
        passed=False,
        expectations=[stats("news", i, s, n, n // 4) for i, s in zip(ids, severities, strict=True)],
    )
    start = dt.date(2024, 1, 1)
    findings = [
        Finding(
            suite="news",
            expectation=ids[i % 4],
            id=ids[i % 4],
            severity=severities[i % 4],
            file=f"dumps/part_{i // 1000:03d}.txt",
            line=1 + (i % 1000) * 30,
            field="byline",
            field_line=20 + (i % 1000) * 30,
            excerpt=f"BY REPORTER {i}\u00a0[reporter{i}@example.com]",
            spans=[(14 + len(str(i)), 15 + len(str(i)))],
            message=f"finding number {i}",
            fingerprint=f"{i:020d}",
            date=(start + dt.timedelta(days=i % 400)).isoformat(),
            headline=f"Article {i}",
        )
        for i in range(n)
    ]
    return make_result([suite], findings, articles=n)


# --- the browser -----------------------------------------------------------------------------


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, driven by playwright. Without it the browser tests skip,
    except under CI, where a missing browser is a failure."""
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI is set but the playwright package is not installed")
        pytest.skip("the playwright package is not installed (pip install -e '.[test]')")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but chromium is not installed: apt-get install -y chromium")
        pytest.skip("no chromium on PATH: apt-get install -y chromium (required when CI is set)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Opened:
    """A report open in a page, with everything the page did while it loaded and ran."""

    page: Page
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def shown(self) -> list[str]:
        """The text of the findings rows on the current page."""
        return list(self.page.locator("#rows tr").all_inner_texts())

    def count(self) -> str:
        return str(self.page.inner_text("#count"))

    def settle(self) -> None:
        """Wait past the search boxes' debounce."""
        self.page.wait_for_timeout(400)


@pytest.fixture
def open_report(browser: Browser) -> Iterator[Callable[[Path], Opened]]:
    pages: list[Page] = []

    def open_(path: Path) -> Opened:
        page = browser.new_page()
        pages.append(page)
        opened = Opened(page)

        def on_console(msg: ConsoleMessage) -> None:
            if msg.type in ("error", "warning"):
                opened.console.append(f"{msg.type}: {msg.text}")

        def on_request(req: Request) -> None:
            if req.url != path.resolve().as_uri():
                opened.requests.append(req.url)

        def on_dialog(dialog: Dialog) -> None:
            opened.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("console", on_console)
        page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
        page.on("request", on_request)
        page.on("dialog", on_dialog)
        page.goto(path.resolve().as_uri())
        page.wait_for_selector("body[data-ready=true]", timeout=60_000)
        return opened

    yield open_
    for page in pages:
        page.close()


# --- hostile text -----------------------------------------------------------------------------

# What an attacker would put in an article or a file name to drive a terminal: clear screen,
# alternate screen, an OSC 8 hyperlink, a C1 CSI (U+009B) and OSC (U+009D), BEL, backspace,
# DEL, a right-to-left override and an isolate; then rich markup and GitHub workflow commands.
ESCAPES = (
    "\x1b[2J\x1b[?1049h\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x9b31m \x9d0;t\x07"
    "\x08\x7f \u202eevil\u2066"
)
HOSTILE_TEXT = ESCAPES + " [bold]x[/bold] ::error::pwned ::add-mask::x ##[error]legacy"
# Raw, none of these may reach any report but JSON (where they are escapes).
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HOSTILE_NAME = "a\x1b[31m\u202e\x9b2J.txt"


def hostile_corpus(directory: Path) -> Path:
    """The seed with ESC sequences, C1 and bidi characters and workflow commands in its
    headline (header and title line), its Published line's tail and a body paragraph, under a
    file name that carries them too."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    lines[0] += HOSTILE_TEXT
    lines[1] += HOSTILE_TEXT
    published = next(i for i, line in enumerate(lines) if line.startswith("Published: "))
    lines[published] += HOSTILE_TEXT
    lines.insert(published + 3, f"The minister said {HOSTILE_TEXT} and left.")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / HOSTILE_NAME
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def hostile_result(tmp_path_factory: pytest.TempPathFactory) -> Result:
    """A real run over the hostile corpus."""
    path = hostile_corpus(tmp_path_factory.mktemp("hostile"))
    return check([path.parent], [load_suite(str(SUITES / "news.yaml"))])


def workflow_command_lines(text: str) -> list[str]:
    """Lines GitHub's runner would take as a workflow command: "::" after leading white
    space, or the legacy "##[" anywhere."""
    return [line for line in text.splitlines() if line.lstrip().startswith("::") or "##[" in line]


# A suite's name and ids may carry escapes, a bidi override, and the ":" and "," that
# GitHub's command properties must escape. Suite files with control characters there are
# refused at load; a suite built in code (the API, a plugin) is not, and reports must hold.
HOSTILE_NAMES = {
    "suite": "news\x1b[2J\u202e,x:y ::error::s",
    "description": "desc \x1b]8;;http://x\x1b\\ ##[error]d",
    "headline_length": "long\x1b[?1049h\x9b",
    "body_no_replacement_or_control_chars": "ctl\a\b",
}
HOSTILE_SUITE = """\
suite: hostile
expectations:
  - expect: headline_length
  - expect: body_no_replacement_or_control_chars
"""


def hostile_suite() -> Suite:
    suite = parse_suite(HOSTILE_SUITE, directory=SUITES)
    suite.name = HOSTILE_NAMES["suite"]
    suite.description = HOSTILE_NAMES["description"]
    suite.entries = [dataclasses.replace(e, id=HOSTILE_NAMES[e.id]) for e in suite.entries]
    return suite


@pytest.fixture(scope="session")
def hostile_suite_result(tmp_path_factory: pytest.TempPathFactory) -> Result:
    """The hostile corpus checked by a suite with control characters in its name and ids."""
    path = hostile_corpus(tmp_path_factory.mktemp("hostile-suite"))
    return check([path.parent], [hostile_suite()])
