"""--redact-emails: addresses leave every format; highlights follow the text they marked."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import CLEAN
from toolkit.cli import app
from toolkit.reporters import REPORTERS
from toolkit.reporters.redact import REDACTED, redact_emails, redact_excerpt
from toolkit.result import Result

ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def test_spans_move_with_the_redaction() -> None:
    text = "BY KIM [kim@example.com] and LEE [lee@example.org]"
    out, spans = redact_excerpt(text, [(8, 23), (0, 2), (29, 32), (10, 40)])
    assert out == f"BY KIM [{REDACTED}] and LEE [{REDACTED}]"
    assert out[spans[0][0] : spans[0][1]] == REDACTED  # the address itself
    assert out[spans[1][0] : spans[1][1]] == "BY"  # before any address: unmoved
    assert out[spans[2][0] : spans[2][1]] == "LEE"  # after one: shifted
    # A span that starts or ends inside an address grows to the whole replacement.
    assert out[spans[3][0] : spans[3][1]] == f"{REDACTED}] and LEE [{REDACTED}"
    assert redact_excerpt("no address", [(0, 2)]) == ("no address", [(0, 2)])


def test_result_redaction_touches_excerpts_messages_headlines(small_result: Result) -> None:
    redacted = redact_emails(small_result)
    b = redacted.findings[1]
    assert b.excerpt == f"BY KIM [{REDACTED}] and Lee"
    assert b.excerpt[b.spans[0][0] : b.spans[0][1]] == REDACTED
    assert b.message == f"'{REDACTED}' is not the desk's address"
    assert b.headline == f"Kim ({REDACTED}) reports"
    assert redacted.findings[0] == small_result.findings[0]  # the placeholder is no address
    assert small_result.findings[1].excerpt.count("@") == 1  # the original is untouched


def test_every_format_redacts_from_the_cli(tmp_path: Path) -> None:
    # The clean corpus' bylines carry real addresses, which a failing check quotes.
    suite = tmp_path / "strict.yaml"
    suite.write_text(
        "suite: strict\nexpectations:\n"
        "  - expect: column_values_to_match_regex\n    column: byline\n    regex: '^[^@]*$'\n",
        encoding="utf-8",
    )
    formats = sorted(set(REPORTERS) - {"rich"})
    args = ["check", str(CLEAN), "--suite", str(suite), "--no-color"]
    plain = CliRunner().invoke(app, [*args, *(f"--format={f}:{tmp_path / f}" for f in formats)])
    assert plain.exit_code == 1, plain.output
    assert ADDRESS.search((tmp_path / "json").read_text(encoding="utf-8"))

    out = tmp_path / "redacted"
    ran = CliRunner().invoke(
        app, [*args, "--redact-emails", *(f"--format={f}:{out / f}" for f in formats), "-f", "rich"]
    )
    assert ran.exit_code == 1, ran.output
    assert not ADDRESS.search(ran.stdout)
    for name in formats:
        text = (out / name).read_text(encoding="utf-8")
        assert not ADDRESS.search(text), name
        assert "redacted email" in text, name  # Markdown escapes the brackets
