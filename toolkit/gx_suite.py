"""Suites as Great Expectations 1.x ExpectationSuites, both ways, without importing GX.

Export writes each entry's GX form (toolkit.expectations.base.GxForm) as GX's own JSON: ``type``,
``kwargs``, ``meta``, ``severity``, ``mostly`` and ``row_condition`` carried over. An entry over
columns the toolkit derives from the articles names them, with what they hold, in
``meta.toolkit.derived_columns``: GX cannot compute them, so such a suite runs with
``toolkit check --engine gx`` (or after the team computes the columns itself). Import turns a
GX suite back into suite YAML: the toolkit's own exports exactly (from ``meta.toolkit``), other
suites' expectations where the catalog has the same GX expectation, and it names the rest.
The GX engine (toolkit.gx_engine) builds its suites with ``plan`` below, so an exported suite
is the one the engine runs.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import yaml
from pydantic import ValidationError
from pydantic_core import to_jsonable_python

from toolkit.batch import to_frame
from toolkit.condition import condition_problem, parse_condition
from toolkit.expectations import CATALOG, AnyExpectation, CorpusExpectation, Expectation
from toolkit.expectations.base import GxForm, Params, gx_objects
from toolkit.result import SEVERITIES
from toolkit.suite import SUITE_DIR, Suite, SuiteEntry, SuiteError, parse_suite
from toolkit.text import as_mask

META_KEY = "toolkit"
DERIVED_NOTE = (
    "Expectations whose meta.toolkit.derived_columns is set run over columns the toolkit "
    "computes from the articles (described there): run them with `toolkit check --engine gx`, "
    "or compute those columns before validating in Great Expectations."
)
# Keys every GX expectation accepts that are not parameters of the check itself.
_GX_COMMON = {"mostly", "row_condition", "condition_parser", "batch_id", "result_format"}
_GX_IGNORED = {"batch_id", "result_format", "catch_exceptions", "include_config", "meta"}
# kwargs that name columns, whose values are renamed when a derived column is.
_COLUMN_KEYS = ("column", "column_A", "column_B")


class GxSuiteError(Exception):
    """A GX suite file that cannot be converted at all; ``str()`` names the file."""


def gx_form(exp: AnyExpectation) -> GxForm | None:
    """The expectation's GX form; file_readable has none (the readers judge files)."""
    form = getattr(exp, "gx", None)
    return form if isinstance(form, GxForm) else None


def unsupported_reason(entry: SuiteEntry) -> str:
    """Why an entry has no GX form, for the Result and for export."""
    if entry.expectation.family == "history":
        return "it judges the run against its past runs, which Great Expectations has no notion of"
    if not isinstance(entry.expectation, Expectation | CorpusExpectation):
        return "the file readers judge files, before any engine"
    return "it has no Great Expectations form"


# --- suite -> GX ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GxPlan:
    """One suite entry as a GX expectation; ``columns`` maps the names ``derive`` gives its
    columns to their names in the validated frame (renamed when two entries would clash)."""

    suite: Suite
    entry: SuiteEntry
    form: GxForm
    columns: dict[str, str]

    @property
    def key(self) -> tuple[str, str]:
        return (self.suite.name, self.entry.id)

    def configuration(self, condition_column: str | None = None) -> dict[str, Any]:
        """The GX 1.x ExpectationConfiguration, as JSON. ``condition_column`` names a boolean
        column of the validated frame holding the entry's row_condition, computed by the
        toolkit: GX then filters on that column alone and never evaluates the suite's text."""
        entry = self.entry
        kwargs = _renamed(self.form.kwargs(entry.params), self.columns)
        if entry.mostly is not None:
            kwargs["mostly"] = entry.mostly
        if entry.row_condition is None and condition_column is not None:
            # The engine's own mask (a feed without a dump-only part): no suite text.
            kwargs["row_condition"] = {
                "type": "pass_through",
                "pass_through_filter": condition_column,
            }
        elif entry.row_condition is not None:
            # GX 1.9+'s own form of a pandas condition (DataFrame.query); the older string
            # with condition_parser "pandas" is deprecated there, and import reads both.
            # Exported, it is the toolkit's own rendering of the parsed condition.
            text = condition_column or parse_condition(entry.row_condition).pandas
            kwargs["row_condition"] = {"type": "pass_through", "pass_through_filter": text}
        meta: dict[str, Any] = {
            "expect": entry.expectation.name,
            "id": entry.id,
            "params": entry.params_dict(),
        }
        if self.columns:
            doc = _one_paragraph(self.form.derive)
            scope = getattr(entry.expectation, "scope", None)
            if scope is not None:
                doc += f" Null where the expectation does not apply: {_one_paragraph(scope)}"
            meta["derived_columns"] = {column: doc for column in self.columns.values()}
        return {
            "type": self.form.type,
            "kwargs": kwargs,
            "meta": {META_KEY: meta},
            "severity": entry.severity,
        }

    def derive(self, batch: pd.DataFrame) -> dict[str, pd.Series]:
        """The derived columns over ``batch``: null for the articles outside the expectation's
        scope, which GX leaves out as the toolkit does (neither passed nor failed)."""
        if self.form.derive is None:
            return {}
        made = self.form.derive(batch, self.entry.params)
        scope = getattr(self.entry.expectation, "scope", None)
        if scope is not None:
            inside = as_mask(scope(batch, self.entry.params))
            if not inside.all():
                made = {name: gx_objects(v).where(inside, None) for name, v in made.items()}
        return {self.columns[name]: values for name, values in made.items()}


def plan(suites: list[Suite]) -> list[GxPlan]:
    """The GX form of every entry that has one, in suite order. One frame serves every suite,
    so a derived column keeps its plain name unless another entry derives a different column
    under the same name (the same expectation with other parameters): that one gets ``_2``."""
    empty = to_frame([], {})
    owners: dict[str, str] = {}  # frame column -> what it holds (expectation and parameters)
    plans = []
    for suite in suites:
        for entry in suite.entries:
            form = gx_form(entry.expectation)
            if form is None:
                continue
            columns: dict[str, str] = {}
            if form.derive is not None:
                holds = (
                    f"{entry.expectation.name}:{json.dumps(entry.params_dict(), sort_keys=True)}"
                )
                for name in form.derive(empty, entry.params):
                    column, n = name, 1
                    while owners.get(column, holds) != holds:
                        n += 1
                        column = f"{name}_{n}"
                    owners[column] = holds
                    columns[name] = column
            plans.append(GxPlan(suite, entry, form, columns))
    return plans


def derive_columns(plans: list[GxPlan], batch: pd.DataFrame) -> pd.DataFrame:
    """``batch`` with every derived column the plans need, each computed once."""
    added: dict[str, pd.Series] = {}
    for p in plans:
        if any(column not in added for column in p.columns.values()):
            added.update(p.derive(batch))
    return batch.assign(**added) if added else batch


def to_gx_suite(suite: Suite) -> tuple[dict[str, Any], list[SuiteEntry]]:
    """The suite as GX 1.x ExpectationSuite JSON, and the entries that could not be exported."""
    plans = plan([suite])
    exported = {p.entry.id for p in plans}
    left = [e for e in suite.entries if e.id not in exported]
    meta: dict[str, Any] = {"suite": suite.name, "file": suite.file}
    if any(p.columns for p in plans):
        meta["derived_columns_note"] = DERIVED_NOTE
    if left:
        meta["not_exported"] = [
            {"id": e.id, "expect": e.expectation.name, "reason": unsupported_reason(e)}
            for e in left
        ]
    data = {
        "name": suite.name,
        "expectations": [p.configuration() for p in plans],
        "meta": {META_KEY: meta},
        "notes": suite.description or None,
    }
    return data, left


def _renamed(kwargs: dict[str, Any], columns: dict[str, str]) -> dict[str, Any]:
    out = dict(kwargs)
    for key in _COLUMN_KEYS:
        if isinstance(out.get(key), str):
            out[key] = columns.get(out[key], out[key])
    if isinstance(out.get("column_list"), list):
        out["column_list"] = [columns.get(c, c) for c in out["column_list"]]
    return out


def _one_paragraph(fn: Callable[..., Any] | None) -> str:
    doc = inspect.getdoc(fn) if fn is not None else None
    return " ".join(doc.split()) if doc else "computed by the toolkit"


# --- GX -> suite ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    """A GX suite as suite YAML: the text (which loads), and what could not be converted."""

    name: str
    yaml: str
    converted: int
    skipped: list[str]


def from_gx_suite(data: object, label: str) -> Imported:
    """Convert GX ExpectationSuite JSON (1.x; 0.x's ``expectation_type`` is read too)."""
    if not isinstance(data, dict) or not isinstance(data.get("expectations"), list):
        raise GxSuiteError(f"{label}: not a Great Expectations suite (no 'expectations' list)")
    name = data.get("name") or data.get("expectation_suite_name")
    if not isinstance(name, str) or not name:
        raise GxSuiteError(f"{label}: the suite has no 'name'")
    entries: list[dict[str, Any]] = []
    skipped: list[str] = []
    ids: set[str] = set()
    for n, item in enumerate(data["expectations"], start=1):
        converted = _entry(item)
        if isinstance(converted, str):
            kind = item.get("type", "?") if isinstance(item, dict) else "?"
            skipped.append(f"expectation {n} ({kind}): {converted}")
            continue
        default = _default_id(converted)
        entry_id = _unique(converted.pop("id", None) or default, ids)
        ids.add(entry_id)
        if entry_id != default:
            converted = {"expect": converted["expect"], "id": entry_id, **_rest(converted)}
        entries.append(converted)
    if not entries:
        why = "; ".join(skipped) or "the suite is empty"
        raise GxSuiteError(f"{label}: nothing could be converted: {why}")
    notes = data.get("notes")
    description = notes if isinstance(notes, str) and notes else f"Imported from {label}"
    text = _yaml(name, description, entries, label, skipped)
    try:
        parse_suite(text, label=f"{name}.yaml", directory=SUITE_DIR)
    except SuiteError as exc:  # a bug here, not in the input: entries were validated one by one
        raise GxSuiteError(f"{label}: the converted suite does not load: {exc}") from exc
    return Imported(name=name, yaml=text, converted=len(entries), skipped=skipped)


def _entry(item: object) -> dict[str, Any] | str:
    """One GX expectation as a suite entry, or why it cannot be one."""
    if not isinstance(item, dict):
        return "not a mapping"
    kind = item.get("type", item.get("expectation_type"))
    kwargs = item.get("kwargs") or {}
    if not isinstance(kind, str) or not isinstance(kwargs, dict):
        return "no 'type' and 'kwargs'"
    common = _common(item, kwargs)
    if isinstance(common, str):
        return common
    meta = item.get("meta")
    ours = meta.get(META_KEY) if isinstance(meta, dict) else None
    if isinstance(ours, dict) and ours.get("expect") in CATALOG:
        exp = CATALOG[str(ours["expect"])]
        params = ours.get("params") or {}
        try:
            valid = exp.params.model_validate(params)
        except ValidationError as exc:
            return f"parameters of {exp.name} do not validate: {exc.errors()[0]['msg']}"
        out: dict[str, Any] = {"expect": exp.name, "id": ours.get("id")}
        return {**out, **_non_default(valid), **common}
    return _generic(kind, kwargs, common)


def _generic(kind: str, kwargs: dict[str, Any], common: dict[str, Any]) -> dict[str, Any] | str:
    """A GX expectation from elsewhere, by the catalog entry with the same native GX form."""
    given = _plain(
        {k: v for k, v in kwargs.items() if k not in _GX_COMMON | _GX_IGNORED and v is not None}
    )
    candidates = [e for e in CATALOG.values() if (f := gx_form(e)) is not None and f.type == kind]
    if not candidates:
        return "the toolkit has no expectation for this Great Expectations type"
    candidates.sort(key=lambda e: e.name != kind.removeprefix("expect_"))
    reasons = []
    for exp in candidates:
        fields = exp.params.model_fields
        try:
            params = exp.params.model_validate({k: v for k, v in given.items() if k in fields})
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err["loc"])
            reasons.append(f"{exp.name}: {where}: {err['msg']}")
            continue
        form = gx_form(exp)
        assert form is not None
        if form.derive is not None and form.derive(to_frame([], {}), params):
            reasons.append(f"{exp.name} runs over a column the toolkit derives")
            continue
        # The entry must give back this very GX expectation: byline_present, say, is
        # expect_column_values_to_not_be_null on "byline" and on no other column.
        built = _plain({k: v for k, v in form.kwargs(params).items() if v is not None})
        extra = sorted(set(given) - set(built))
        if extra:
            reasons.append(f"{exp.name} has no parameter {', '.join(map(repr, extra))}")
            continue
        # GX leaves a keyword at its default out; the toolkit's parameters share GX's defaults.
        defaults = _non_default(params)
        differ = sorted(
            k
            for k, v in built.items()
            if given.get(k, v if k in fields and k not in defaults else None) != v
        )
        if differ:
            shown = ", ".join(f"{k}={built[k]!r}" for k in differ)
            reasons.append(f"{exp.name} needs {shown}")
            continue
        return {"expect": exp.name, **_non_default(params), **common}
    # The entry of the same name says best why it does not fit; otherwise every one's reason.
    return reasons[0] if candidates[0].name == kind.removeprefix("expect_") else "; ".join(reasons)


def _plain(kwargs: dict[str, Any]) -> dict[str, Any]:
    """JSON values (tuples as lists, dates as text), so that kwargs compare as GX stores them."""
    out: dict[str, Any] = json.loads(json.dumps(kwargs, default=str))
    return out


def _common(item: dict[str, Any], kwargs: dict[str, Any]) -> dict[str, Any] | str:
    """severity, mostly and row_condition as suite entry keys."""
    out: dict[str, Any] = {}
    severity = item.get("severity", "critical")
    if severity not in SEVERITIES:
        return f"severity {severity!r} is not one of {', '.join(SEVERITIES)}"
    if severity != "critical":
        out["severity"] = severity
    if kwargs.get("mostly") is not None:
        out["mostly"] = kwargs["mostly"]
    condition = kwargs.get("row_condition")
    if isinstance(condition, dict):
        if condition.get("type") != "pass_through":
            return f"a row_condition of type {condition.get('type')!r} has no toolkit form"
        condition = condition.get("pass_through_filter")
    if condition:
        parser = kwargs.get("condition_parser") or "pandas"
        if parser != "pandas":
            return f"row_condition for the {parser!r} parser: the toolkit reads pandas conditions"
        # Read with the toolkit's condition grammar, never evaluated: a filter it cannot
        # express is not converted.
        problem = condition_problem(condition)
        if problem is not None:
            shown = str(condition) if len(str(condition)) <= 80 else str(condition)[:79] + "…"
            return f"row_condition {shown!r} is outside the toolkit's condition grammar: {problem}"
        out["row_condition"] = condition
    return out


def _non_default(params: Params) -> dict[str, Any]:
    """The parameters a suite file must state: those that differ from their defaults."""
    fields = type(params).model_fields
    out = {}
    for key, value in params.model_dump(mode="json").items():
        field = fields[key]
        if field.is_required() or value != to_jsonable_python(field.get_default()):
            out[key] = value
    return out


def _default_id(entry: dict[str, Any]) -> str:
    exp = CATALOG[entry["expect"]]
    column = entry.get("column")
    return f"{exp.name}[{column}]" if isinstance(column, str) and column != exp.field else exp.name


def _unique(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}_{n}"
    return candidate


def _rest(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in ("expect", "id")}


def _yaml(
    name: str, description: str, entries: list[dict[str, Any]], label: str, skipped: list[str]
) -> str:
    head = [f"# Imported from the Great Expectations suite {label} by `toolkit suite import`."]
    if skipped:
        head.append("# Not converted (no toolkit equivalent):")
        head.extend(f"#   {why}" for why in skipped)
    body = yaml.safe_dump(
        {"suite": name, "description": description, "expectations": entries},
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return "\n".join(head) + "\n" + body
