"""`toolkit expectations` lists the catalog; `toolkit explain NAME` shows one expectation at work.

Both read only the expectations' own definitions: name, family, severity, description, the
parameter model (types, defaults, descriptions, the example in its ``json_schema_extra``), the
breaker, the GX form and the fix. ``explain`` runs the example through the engine, so the
message it shows is the one a failing article gets.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import types
import typing
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer
import yaml

from toolkit.app import app, fail

if TYPE_CHECKING:
    from toolkit.article import Article
    from toolkit.expectations import AnyExpectation
    from toolkit.expectations.plugins import Catalog
    from toolkit.result import Result
    from toolkit.suite import Suite, SuiteEntry

# Where a finding on the corpus as a whole stands in the demonstration: the suite entry.
SUITE_LABEL = "suite.yaml"

PluginOption = Annotated[
    list[str] | None,
    typer.Option(
        "--plugin",
        "-p",
        help="Module of custom expectations to include (as a suite's 'plugins:'); repeatable.",
    ),
]


def _catalog(plugins: Sequence[str]) -> Catalog:
    from pathlib import Path

    from toolkit.expectations.plugins import PluginError, catalog

    try:
        return catalog(plugins, search=[Path.cwd()])
    except PluginError as exc:
        raise fail(str(exc)) from None


@app.command()
def expectations(
    family: Annotated[
        str | None, typer.Option("--family", help="Only this family (dates, byline, generic...).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="text (one line each) or json.")
    ] = "text",
    plugin: PluginOption = None,
) -> None:
    """List the expectation catalog: name, family, default severity, description."""
    if fmt not in ("text", "json"):
        raise fail(f"unknown format {fmt!r}: choose text or json")
    known = _catalog(plugin or [])
    listed = [known.by_name[n] for n in known.names()]
    families = sorted({e.family for e in listed})
    if family is not None:
        if family not in families:
            close = difflib.get_close_matches(family, families, n=1)
            more = f"did you mean {close[0]!r}? " if close else ""
            raise fail(f"unknown family {family!r}: {more}families: {', '.join(families)}")
        listed = [e for e in listed if e.family == family]
    if fmt == "json":
        rows = [_summary(e, known.origin[e.name]) for e in listed]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max(len(e.name) for e in listed)
    fam = max(len(e.family) for e in listed)
    for e in listed:
        typer.echo(f"{e.name:<{width}}  {e.family:<{fam}}  {e.severity:<8}  {e.description}")


def _summary(exp: AnyExpectation, origin: str) -> dict[str, Any]:
    gx = getattr(exp, "gx", None)
    return {
        "name": exp.name,
        "family": exp.family,
        "severity": exp.severity,
        "description": exp.description,
        "field": exp.field,
        "parameters": sorted(exp.params.model_fields),
        "breaker": exp.breaker is not None,
        "gx": gx.type if gx is not None else None,
        "origin": origin,
    }


@app.command()
def explain(
    name: Annotated[str, typer.Argument(help="An expectation, as 'toolkit expectations' lists.")],
    setting: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="A parameter for the example, KEY=VALUE (VALUE read as YAML); repeatable.",
        ),
    ] = None,
    plugin: PluginOption = None,
) -> None:
    """Show an expectation: its parameters, a passing article, the same article broken, the
    message the broken one gets, and the fix."""
    known = _catalog(plugin or [])
    exp = known.get(name)
    if exp is None:
        close = difflib.get_close_matches(name, known.names(), n=1)
        more = f"did you mean {close[0]!r}? " if close else ""
        raise fail(f"unknown expectation {name!r}: {more}'toolkit expectations' lists the catalog")
    params = {**_example_params(exp), **_settings(setting or [])}
    suite = _one_entry_suite(name, params, plugin or [])
    entry = suite.entries[-1]
    out: list[str] = []
    out += [f"{exp.name}: {exp.description}", ""]
    out += [f"family: {exp.family}    default severity: {exp.severity}    field: {entry.field}"]
    out += ["", "Parameters:", *_parameter_lines(exp)]
    out += ["", "Example suite entry:", *_entry_yaml(name, params)]
    out += ["", *_gx_lines(exp, entry)]
    out += ["", *_demonstration(exp, suite, entry)]
    out += ["", "Fix:", f"  {exp.fix}"]
    typer.echo("\n".join(out))


# --- parameters -------------------------------------------------------------------------------


def _example_params(exp: AnyExpectation) -> dict[str, Any]:
    extra = exp.params.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    if isinstance(examples, list) and examples and isinstance(examples[0], dict):
        return dict(examples[0])
    return {}


def _settings(settings: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in settings:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise fail(f"--set takes KEY=VALUE, not {item!r}")
        try:
            out[key.strip()] = yaml.safe_load(raw)
        except yaml.YAMLError:
            # Not YAML (a regex such as &[a-z]+; reads as a YAML anchor): the text as it is.
            out[key.strip()] = raw
    return out


def _one_entry_suite(name: str, params: dict[str, Any], plugins: list[str]) -> Suite:
    """The expectation with these parameters as a one-entry suite, validated as a suite file
    would be, so that a bad --set gets the same message as a bad suite."""
    from toolkit.suite import SuiteError, parse_suite

    doc: dict[str, Any] = {"suite": "explain", "expectations": [{"expect": name, **params}]}
    if plugins:
        doc["plugins"] = plugins
    try:
        return parse_suite(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), SUITE_LABEL)
    except SuiteError as exc:
        raise fail(exc.message) from None


def _parameter_lines(exp: AnyExpectation) -> list[str]:
    fields = exp.params.model_fields
    if not fields:
        return ["  (none)"]
    rows = []
    for key, info in fields.items():
        default = "required" if info.is_required() else f"default {info.default!r}"
        rows.append((key, _type_name(info.annotation), default, info.description or ""))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return [
        f"  {k:<{widths[0]}}  {t:<{widths[1]}}  {d:<{widths[2]}}  {text}".rstrip()
        for k, t, d, text in rows
    ]


def _type_name(annotation: Any) -> str:
    if annotation is None or annotation is type(None):
        return "None"
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(a) for a in args)
    if origin is not None and args:
        return f"{getattr(origin, '__name__', str(origin))}[{', '.join(map(_type_name, args))}]"
    return getattr(annotation, "__name__", str(annotation))


def _entry_yaml(name: str, params: dict[str, Any]) -> list[str]:
    text = yaml.safe_dump(
        [{"expect": name, **params}], sort_keys=False, allow_unicode=True, width=1000
    )
    return ["  " + line for line in text.splitlines()]


def _gx_lines(exp: AnyExpectation, entry: SuiteEntry) -> list[str]:
    gx = getattr(exp, "gx", None)
    if gx is None:
        return ["Great Expectations: no GX form; the GX engine reports it as not expressible."]
    kwargs = ", ".join(f"{k}={v!r}" for k, v in gx.kwargs(entry.params).items())
    lines = [f"Great Expectations: {gx.type}({kwargs})"]
    if gx.derive is not None and _derives(gx.derive, entry):
        lines.append("  over a column the toolkit derives first from the article columns")
    return lines


def _derives(derive: Any, entry: SuiteEntry) -> bool:
    from toolkit.batch import to_frame

    try:
        return bool(derive(to_frame([], {}), entry.params))
    except Exception:
        return True  # a derivation that needs rows still derives a column


# --- the demonstration ------------------------------------------------------------------------


def _demonstration(exp: AnyExpectation, suite: Suite, entry: SuiteEntry) -> list[str]:
    from toolkit.article import render
    from toolkit.engine import EngineError, check_articles
    from toolkit.examples import example_article
    from toolkit.expectations import CorpusExpectation
    from toolkit.expectations.base import Unbreakable

    passing = example_article()
    out = [f"Passing article ({passing.file}):", *_numbered(render(passing))]
    try:
        verdict = check_articles([passing], [suite])
    except EngineError as exc:
        return [*out, "", f"The check raised: {exc}"]
    if (error := _error(verdict, entry)) is not None:
        return [*out, "", f"The expectation could not run: {error}"]
    if _findings(verdict, entry):
        out += ["", "  With these parameters the example article fails too:"]
        out += _finding_lines(verdict, entry)
    else:
        out += ["", "  It passes: no finding."]

    why_none = "it judges the corpus as a whole: no change to one article makes it fail"
    broken: Article | None = None
    if exp.breaker is None:
        why_none = why_none if isinstance(exp, CorpusExpectation) else "none is defined"
        if exp.family == "history":
            why_none = (
                "it judges the run against its past runs (--history DIR) or the clock: no "
                "change to one article makes it fail"
            )
        if exp.family == "archive":
            why_none = (
                "it judges the articles against an archive index (check --against INDEX, made "
                "by `toolkit index build`): no change to one article makes it fail"
            )
    else:
        try:
            broken = exp.breaker(passing, entry.params)
        except Unbreakable as exc:
            why_none = str(exc)
    corpus: list[Article]
    if broken is not None:
        broken = dataclasses.replace(broken, file="broken.txt")
        out += ["", f"Failing article ({broken.file}), changed lines marked + and -:"]
        out += _changes(render(passing), render(broken))
        corpus = [passing, broken] if isinstance(exp, CorpusExpectation) else [broken]
    else:
        out += ["", f"No breaker: {why_none}."]
        if not isinstance(exp, CorpusExpectation) or exp.family == "archive":
            return out
        copy = dataclasses.replace(example_article(), file="copy.txt")
        out += ["Shown instead: the passing article and a copy of it, as a corpus of two."]
        corpus = [passing, copy]
    try:
        failing = check_articles(corpus, [suite])
    except EngineError as exc:
        return [*out, "", f"The check raised: {exc}"]
    if (error := _error(failing, entry)) is not None:
        return [*out, "", f"The expectation could not run: {error}"]
    found = _finding_lines(failing, entry)
    out += ["", "The finding:" if len(found) <= 2 else "The findings:"]
    return out + (found or ["  (none: these parameters let the article pass)"])


def _error(result: Result, entry: SuiteEntry) -> str | None:
    """Why the entry could not run (its code raised or returned the wrong shape), if so."""
    from toolkit.text import visible

    errors = [e.error for e in result.errored_expectations() if e.id == entry.id and e.error]
    return visible(errors[0]) if errors else None


def _findings(result: Result, entry: SuiteEntry) -> list[Any]:
    return [f for f in result.findings if f.id == entry.id]


def _finding_lines(result: Result, entry: SuiteEntry) -> list[str]:
    from toolkit.text import visible

    out = []
    for f in _findings(result, entry):
        out.append(f"  {f.file}:{f.line}: {f.severity}: {f.message}")
        if f.excerpt:
            out.append(f"    {visible(f.excerpt)}")
    return out


def _numbered(text: str, marks: dict[int, str] | None = None) -> list[str]:
    from toolkit.text import visible

    marks = marks or {}
    return [
        f"  {marks.get(i, ' ')} {i:>3}  {visible(line)}".rstrip()
        for i, line in enumerate(text.split("\n")[:-1], start=1)
    ]


def _changes(before: str, after: str) -> list[str]:
    """``after`` in full with its line numbers, lines that differ from ``before`` marked '+',
    and the lines of ``before`` they replace shown as '-' where they stood."""
    from toolkit.text import visible

    old, new = before.split("\n")[:-1], after.split("\n")[:-1]
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        out += [f"  -      {visible(line)}".rstrip() for line in old[a0:a1] if op != "equal"]
        mark = " " if op == "equal" else "+"
        out += [f"  {mark} {i + 1:>3}  {visible(new[i])}".rstrip() for i in range(b0, b1)]
    return out
