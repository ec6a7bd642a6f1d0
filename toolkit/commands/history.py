"""`toolkit history [DIR]`: the trend of each expectation over the last runs of a history.

The terminal form is a rich table (the failure rate of each of the last N runs, a sparkline of
them, the change since the run before); ``--format json`` gives the same as data and
``--format html -o FILE`` a self-contained page (jinja2 autoescaping, no script, a
Content-Security-Policy that allows only its own stylesheet, by hash, and no network address).
"""

from __future__ import annotations

import base64
import hashlib
import json
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from toolkit.app import ConfigOption, app, fail

if TYPE_CHECKING:
    from toolkit.history import RunRecord

BLOCKS = "▁▂▃▄▅▆▇█"


class TrendFormat(StrEnum):
    rich = "rich"
    json = "json"
    html = "html"


@app.command("history")
def show_history(
    directory: Annotated[
        Path | None,
        typer.Argument(
            metavar="[DIR]",
            help="The history directory (as given to check --history). Default: the "
            "configuration's 'history'.",
        ),
    ] = None,
    last: Annotated[int, typer.Option(min=1, metavar="N", help="Show the last N runs.")] = 10,
    expectation: Annotated[
        list[str] | None,
        typer.Option(metavar="ID", help="Only this expectation id (or SUITE/ID); repeatable."),
    ] = None,
    fmt: Annotated[
        TrendFormat, typer.Option("--format", "-f", help="rich (terminal), json or html.")
    ] = TrendFormat.rich,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write here (default: stdout)."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Show each expectation's failure rate over the last runs of a history: a sparkline and
    the change since the run before."""
    from toolkit.config import ConfigError, load, resolve
    from toolkit.history import HistoryError, Store

    if directory is None:
        try:
            configured = resolve({}, load(config))["history"]
        except ConfigError as exc:
            raise fail(str(exc)) from None
        if configured is None:
            raise fail("no DIR given and no 'history' in the configuration: pass DIR")
        directory = Path(configured)
    store = Store(directory)
    try:
        runs = store.read(last)
    except HistoryError as exc:
        raise fail(str(exc)) from None
    if not runs:
        raise fail(f"{store.path}: no history here (no run recorded yet)")
    trend = trend_of(runs, str(store.path))
    if expectation:
        trend = _only(trend, expectation)
    if fmt is TrendFormat.json:
        _write(json.dumps(trend, indent=2, ensure_ascii=False) + "\n", output)
    elif fmt is TrendFormat.html:
        _write(render_html(trend), output)
    else:
        _write(render_rich(trend, color=output is None and _is_tty()), output)


def _is_tty() -> bool:
    import sys

    return sys.stdout.isatty()


def _write(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=False)
        return
    from toolkit.reporters import write_atomic

    try:
        write_atomic(output, text)
    except OSError as exc:
        raise fail(f"{output}: cannot write: {exc.strerror or exc}") from None
    typer.echo(f"toolkit: history written to {output}", err=True)


def _only(trend: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    rows = trend["expectations"]
    keep = [r for r in rows if r["id"] in wanted or f"{r['suite']}/{r['id']}" in wanted]
    known = {r["id"] for r in keep} | {f"{r['suite']}/{r['id']}" for r in keep}
    missing = [w for w in wanted if w not in known]
    if missing:
        ids = ", ".join(sorted({r["id"] for r in rows}))
        raise fail(f"no expectation {', '.join(map(repr, missing))} in the history: ids: {ids}")
    return {**trend, "expectations": keep}


# --- the trend --------------------------------------------------------------------------------


def trend_of(runs: list[RunRecord], store: str) -> dict[str, Any]:
    """The trend as data: the runs, and per expectation its rate in each run (None where the
    run did not check it) and the change between the last two runs that did."""
    keys: dict[tuple[str, str], dict[str, Any]] = {}
    for run in runs:
        for e in run.expectations:
            keys.setdefault(
                (e.suite, e.id),
                {"suite": e.suite, "id": e.id, "expectation": e.expectation},
            )["severity"] = e.severity
    rows = []
    for (suite, eid), head in keys.items():
        stats = [run.stats(suite, eid) for run in runs]
        rates = [s.rate if s is not None and s.checked else None for s in stats]
        known = [r for r in rates if r is not None]
        rows.append(
            {
                **head,
                "rates": rates,
                "failed": [s.failed if s is not None else None for s in stats],
                "checked": [s.checked if s is not None else None for s in stats],
                "last": known[-1] if known else None,
                "change": known[-1] - known[-2] if len(known) > 1 else None,
                "sparkline": sparkline(rates),
            }
        )
    return {
        "store": store,
        "runs": [
            {
                "run": r.run,
                "started": r.started.isoformat(),
                "articles": r.articles,
                "files": r.files,
                "passed": r.passed,
                "exit_code": r.exit_code,
            }
            for r in runs
        ],
        "articles_sparkline": sparkline([float(r.articles) for r in runs]),
        "expectations": rows,
    }


def sparkline(values: list[float | None]) -> str:
    """One block per value, its height scaled to the largest value (all low when every value
    is 0); a space for a missing value."""
    top = max((v for v in values if v is not None), default=0.0)
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        elif top <= 0:
            out.append(BLOCKS[0])
        else:
            out.append(BLOCKS[min(len(BLOCKS) - 1, int(v / top * (len(BLOCKS) - 1) + 0.5))])
    return "".join(out)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _change(value: float | None) -> str:
    if value is None:
        return "-"
    points = value * 100
    return "±0.0" if abs(points) < 0.05 else f"{points:+.1f}"


# --- the terminal -----------------------------------------------------------------------------


def render_rich(trend: dict[str, Any], color: bool) -> str:
    """The trend as a rich table; every name is text (no markup), control characters shown."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from toolkit.text import visible

    runs = trend["runs"]
    from toolkit.commands.check import _terminal_width

    console = Console(
        width=_terminal_width(),
        color_system="standard" if color else None,
        force_terminal=color,
    )
    title = Text(
        f"{visible(trend['store'])}: runs {runs[0]['run']}-{runs[-1]['run']}, articles "
        f"{trend['articles_sparkline']} ({runs[-1]['articles']:,} in the last)"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("expectation")
    table.add_column("severity")
    table.add_column("failure rate, oldest to latest")
    table.add_column("trend")
    table.add_column("latest", justify="right")
    table.add_column("change (points)", justify="right")
    for row in trend["expectations"]:
        rates = " ".join(_pct(r) for r in row["rates"][-6:])
        if len(row["rates"]) > 6:
            rates = "… " + rates
        change = row["change"]
        style = "red" if change is not None and change > 0 else ""
        table.add_row(
            Text(visible(f"{row['suite']}/{row['id']}")),
            Text(row["severity"]),
            Text(rates),
            Text(row["sparkline"]),
            Text(_pct(row["last"])),
            Text(_change(change), style=style),
        )
    with console.capture() as capture:
        console.print(table)
    return capture.get()


# --- the page ---------------------------------------------------------------------------------


def render_html(trend: dict[str, Any]) -> str:
    """The trend as one self-contained page: autoescaped, no script, its stylesheet under a
    hash in the Content-Security-Policy, each sparkline an inline SVG drawn from numbers."""
    from jinja2 import Environment, PackageLoader

    from toolkit import __version__
    from toolkit.text import visible

    env = Environment(
        loader=PackageLoader("toolkit.commands", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["visible"] = visible
    env.filters["pct"] = _pct
    env.filters["change"] = _change
    css = (resources.files("toolkit.commands") / "templates" / "history.css").read_text("utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    csp = "; ".join(
        [
            "default-src 'none'",
            f"style-src 'sha256-{digest}'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    rows = [{**row, "points": svg_points(row["rates"])} for row in trend["expectations"]]
    articles = svg_points([float(r["articles"]) for r in trend["runs"]])
    return env.get_template("history.html.j2").render(
        trend=trend, rows=rows, articles=articles, css=css, csp=csp, version=__version__
    )


SVG_WIDTH, SVG_HEIGHT = 160, 28


def svg_points(values: list[float | None]) -> str:
    """The polyline points of a sparkline (numbers only), scaled to the largest value."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if not known:
        return ""
    top = max(v for _, v in known) or 1.0
    step = SVG_WIDTH / max(1, len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{SVG_HEIGHT - 2 - v / top * (SVG_HEIGHT - 4):.1f}" for i, v in known
    )
