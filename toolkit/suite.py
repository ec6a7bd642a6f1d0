"""Suite files: load YAML, validate against the catalog, resolve names and ``extends``.

Every error names the file and the line and says what would be valid: a suite that does not
load never passes silently.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from toolkit.condition import condition_problem
from toolkit.configfile import SUITE_BYTES, read_config
from toolkit.expectations import AnyExpectation, Params
from toolkit.expectations.files import file_readable
from toolkit.expectations.plugins import Catalog, PluginError, catalog, load_module
from toolkit.result import SEVERITIES, Severity

SUITE_DIR = Path("expectations")
# The suites shipped inside the package (news, joongang): found by name from any directory,
# after a project's own expectations/, which wins.
SHIPPED_DIR = Path(__file__).resolve().parent / "suites"
SUITE_SUFFIXES = (".yaml", ".yml")
_SUITE_KEYS = {"suite", "description", "extends", "plugins", "input", "expectations"}
_INPUT_KEYS = {"format", "preset", "map"}
_ENTRY_KEYS = {"expect", "id", "severity", "mostly", "row_condition"}
# A chain of suites extending one another; deeper is a mistake (or a generated attack).
MAX_EXTENDS = 32


class SuiteError(Exception):
    """A suite that cannot be used; ``str()`` reads ``file:line: message``."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message
        place = f"{file}:{line}" if line else file
        super().__init__(f"{place}: {message}")


@dataclass(frozen=True)
class SuiteEntry:
    """One expectation of a suite, with its parameters validated."""

    id: str
    expectation: AnyExpectation
    params: Params
    severity: Severity
    mostly: float | None = None
    row_condition: str | None = None
    line: int = 0
    # ``severity: off``: the entry switches off the extended suite's entry of the same id.
    off: bool = False
    # Set by fold_shared when a run names several suites: the other suites whose entry checks
    # the same thing (reported here), or the suite whose entry reports for this one.
    also_in: tuple[str, ...] = ()
    mirror_of: str | None = None

    @cached_property
    def field(self) -> str:
        return self.expectation.field_of(self.params)

    def params_dict(self) -> dict[str, Any]:
        return self.params.model_dump(mode="json")


@dataclass
class Suite:
    name: str
    file: str
    description: str = ""
    entries: list[SuiteEntry] = field(default_factory=list)
    # Modules of custom expectations, the extended suite's first (see toolkit.expectations.plugins).
    plugins: list[str] = field(default_factory=list)
    # How the feeds this suite is written for are read: format, preset, map (article field:
    # record field); the extended suite's, overridden key by key. Empty: by suffix, plain.
    input: dict[str, Any] = field(default_factory=dict)


def entries_of(suite: Suite) -> list[SuiteEntry]:
    """The suite's entries, with file_readable first: unreadable input is never dropped, even
    by a suite that does not name it."""
    # By name: a suite unpickled on another process (the Dask workers) holds a copy.
    if any(e.expectation.name == file_readable.name for e in suite.entries):
        return suite.entries
    implicit = SuiteEntry(
        id=file_readable.name,
        expectation=file_readable,
        params=file_readable.params(),
        severity=file_readable.severity,
    )
    return [implicit, *suite.entries]


def _same_check(a: SuiteEntry, b: SuiteEntry) -> bool:
    return (
        a.id == b.id
        and a.expectation is b.expectation
        and a.severity == b.severity
        and a.mostly == b.mostly
        and a.row_condition == b.row_condition
        and a.params_dict() == b.params_dict()
    )


def fold_shared(suites: list[Suite]) -> list[Suite]:
    """The suites of one run with every entry that repeats an earlier suite's (same id,
    expectation, parameters, severity, mostly and condition: one suite extending another, or
    both extending a third) marked, so that a defect is reported once, by the first suite, with
    the others named (``also_in``); the repeating entry still counts its articles. Entries that
    differ in any of these are separate checks and report separately."""
    if len(suites) < 2:
        return suites
    first: dict[str, list[tuple[Suite, SuiteEntry]]] = {}
    marks: dict[tuple[str, str], str] = {}  # (suite, id) of a repeat -> the reporting suite
    also: dict[tuple[str, str], list[str]] = {}
    for suite in suites:
        for entry in entries_of(suite):
            if entry.off:
                continue
            earlier = first.setdefault(entry.id, [])
            owner = next((s for s, e in earlier if _same_check(e, entry)), None)
            if owner is None:
                earlier.append((suite, entry))
            elif owner.name != suite.name:
                marks[(suite.name, entry.id)] = owner.name
                also.setdefault((owner.name, entry.id), []).append(suite.name)
    if not marks:
        return suites
    folded = []
    for suite in suites:
        entries = [
            replace(
                e,
                also_in=tuple(also.get((suite.name, e.id), ())),
                mirror_of=marks.get((suite.name, e.id)),
            )
            for e in entries_of(suite)
        ]
        folded.append(replace(suite, entries=entries))
    return folded


def available_suites(directory: Path = SUITE_DIR) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in SUITE_SUFFIXES and p.is_file())


def resolve_suite(ref: str, directory: Path = SUITE_DIR) -> Path:
    """A suite given as a path, or as a NAME looked up in ``expectations/`` and then among
    the shipped suites."""
    path = Path(ref)
    if path.is_file():
        return path
    for folder in (directory, SHIPPED_DIR):
        for suffix in SUITE_SUFFIXES:
            candidate = folder / f"{ref}{suffix}"
            if candidate.is_file():
                return candidate
    names = sorted({p.stem for p in available_suites(directory) + shipped_suites()})
    hint = f"suites in {directory}/ or shipped: {', '.join(names)}"
    close = difflib.get_close_matches(ref, names, n=1)
    more = f"; did you mean {close[0]!r}?" if close else ""
    raise SuiteError(ref, None, f"no such suite file or name ({hint}){more}")


def shipped_suites() -> list[Path]:
    return available_suites(SHIPPED_DIR)


def suite_label(path: Path) -> str:
    """How a suite file is named in reports: a shipped suite by its place in the package
    (``toolkit/suites/news.yaml``), not by where the package is installed."""
    try:
        inside = path.resolve().relative_to(SHIPPED_DIR)
    except (ValueError, OSError):
        return str(path)
    return f"toolkit/suites/{inside.as_posix()}"


def load_suite(ref: str | Path, directory: Path = SUITE_DIR) -> Suite:
    """Load and validate a suite file (a path, or a name in ``expectations/``)."""
    return _load(resolve_suite(str(ref), directory), directory, chain=())


def parse_suite(text: str, label: str = "<suite>", directory: Path = SUITE_DIR) -> Suite:
    """A suite from YAML text (``extends`` names are looked up in ``directory``)."""
    return _parse(text, Path(label), directory, chain=())


def _load(path: Path, directory: Path, chain: tuple[Path, ...]) -> Suite:
    label = suite_label(path)
    try:
        text = read_config(path, SUITE_BYTES)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SuiteError(label, None, f"cannot read the suite file: {reason}") from exc
    return _parse(text, path, directory, chain)


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing what would make a suite lose or multiply configuration:
    an alias (``*name``) is refused where it is met, so that an alias bomb ("billion laughs")
    never expands; duplicate keys are found on the composed nodes (``_duplicate_keys``)."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(
                problem="aliases (*name) are not allowed in a suite: write the value out",
                problem_mark=event.start_mark,
            )
        node: yaml.Node | None = super().compose_node(parent, index)
        return node


def _compose(text: str, label: str) -> tuple[yaml.Node | None, Any]:
    """The document's node tree and its Python value."""
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        _duplicate_keys(root, label)
        try:
            data = loader.construct_document(root)
        except ValueError as exc:
            # YAML reads an unquoted 2025-13-01 as a date and raises on it, without a place.
            node = _bad_timestamp(root)
            line = node.start_mark.line + 1 if node is not None else None
            shown = f"{node.value!r} " if node is not None else ""
            raise SuiteError(
                label, line, f"{shown}reads as a date but is not one ({exc}): quote it"
            ) from exc
        return root, data
    finally:
        loader.dispose()


def _duplicate_keys(root: yaml.Node, label: str) -> None:
    """A key given twice in one mapping (often an entry whose '- ' is missing, which would
    replace one expectation by another) is an error naming both lines."""
    todo = [root]
    while todo:
        node = todo.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                todo.append(value)
                if not isinstance(key, yaml.ScalarNode):
                    continue
                line = key.start_mark.line + 1
                if key.value in seen:
                    raise SuiteError(
                        label,
                        line,
                        f"the key {key.value!r} is given twice in one mapping, at lines "
                        f"{seen[key.value]} and {line} (a missing '- ' before an entry?)",
                    )
                seen[key.value] = line
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)


def _input(raw: Any, label: str, line: int | None) -> dict[str, Any]:
    """The suite's ``input:`` mapping, checked against the formats and presets there are."""
    from toolkit.readers.formats import FORMATS
    from toolkit.readers.mapping import PRESETS, resolve_mapping

    if not isinstance(raw, dict):
        raise SuiteError(label, line, "'input' is a mapping: format, preset, map")
    for key in raw:
        if key not in _INPUT_KEYS:
            raise SuiteError(label, line, _unknown("'input' key", str(key), _INPUT_KEYS))
    fmt, preset, fields = raw.get("format"), raw.get("preset"), raw.get("map", {})
    if fmt is not None and fmt not in FORMATS:
        raise SuiteError(label, line, f"'input' format is one of {', '.join(FORMATS)}, not {fmt!r}")
    if preset is not None and preset not in PRESETS:
        raise SuiteError(
            label, line, f"'input' preset is one of {', '.join(PRESETS)}, not {preset!r}"
        )
    if not isinstance(fields, dict) or not all(
        isinstance(k, str) and isinstance(v, str | None) for k, v in fields.items()
    ):
        raise SuiteError(label, line, "'input' map is article field: record field")
    try:
        resolve_mapping(preset, {k: v or "" for k, v in fields.items()})
    except ValueError as exc:
        raise SuiteError(label, line, str(exc)) from None
    return {k: v for k, v in raw.items() if v is not None}


def _parse(text: str, path: Path, directory: Path, chain: tuple[Path, ...]) -> Suite:
    label = suite_label(path)
    if len(text) > SUITE_BYTES:
        raise SuiteError(label, None, f"the suite is over {SUITE_BYTES:,} characters long")
    try:
        root, data = _compose(text, label)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SuiteError(label, line, f"broken YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise SuiteError(label, None, f"broken YAML: {exc}") from exc
    except RecursionError:
        raise SuiteError(label, None, "broken YAML: the suite nests too deeply") from None
    if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
        raise SuiteError(label, 1, "a suite is a mapping with 'suite' and 'expectations' keys")
    lines = _key_lines(root)
    for key in data:
        if key not in _SUITE_KEYS:
            raise SuiteError(label, lines.get(key), _unknown("suite key", key, _SUITE_KEYS))
    name = data.get("suite")
    if not isinstance(name, str) or not name:
        raise SuiteError(label, lines.get("suite", 1), "'suite' must name the suite (a string)")
    _plain_text(name, "the suite name", label, lines.get("suite", 1))
    description = data.get("description") or ""
    if not isinstance(description, str):
        raise SuiteError(label, lines.get("description"), "'description' is text")
    _plain_text(description, "the description", label, lines.get("description"), lines_ok=True)
    suite = Suite(name=name, file=label, description=description)

    base = data.get("extends")
    if base is not None:
        if not isinstance(base, str):
            raise SuiteError(label, lines.get("extends"), "'extends' names one suite (a string)")
        at = lines.get("extends")
        try:
            base_path = resolve_suite(base, directory)
        except SuiteError:
            sibling = path.parent / base
            candidates = [sibling, *(sibling.with_suffix(s) for s in SUITE_SUFFIXES)]
            found = next((c for c in candidates if c.is_file()), None)
            if found is None:
                raise SuiteError(label, at, f"'extends': no suite named {base!r}") from None
            base_path = found
        here = (*chain, path.resolve())
        if base_path.resolve() in here:
            cycle = " -> ".join(p.name for p in (*here, base_path.resolve()))
            raise SuiteError(label, at, f"'extends' makes a cycle of suites: {cycle}")
        if len(here) >= MAX_EXTENDS:
            raise SuiteError(
                label, at, f"'extends' goes more than {MAX_EXTENDS} suites deep: flatten the chain"
            )
        parent = _load(base_path, directory, here)
        suite.entries = list(parent.entries)
        suite.plugins = list(parent.plugins)
        suite.input = dict(parent.input)

    if "input" in data:
        suite.input.update(_input(data["input"], label, lines.get("input")))

    known = _catalog(data, root, label, path, suite)
    raw = data.get("expectations")
    node = _value_node(root, "expectations")
    if raw is None and base is None:
        raise SuiteError(label, lines.get("suite", 1), "the suite has no 'expectations' list")
    if raw is not None and (not isinstance(raw, list) or not isinstance(node, yaml.SequenceNode)):
        raise SuiteError(label, lines.get("expectations"), "'expectations' must be a list")
    own: set[str] = set()
    for item, item_node in zip(raw or [], node.value if node else [], strict=False):
        entry = _entry(item, item_node, label, known)
        if entry.id in own:
            raise SuiteError(
                label, entry.line, f"{entry.id!r} is in the suite twice: give one an 'id: NAME'"
            )
        own.add(entry.id)
        # An entry with the id of one in the extended suite replaces it (a stricter severity).
        at = next((i for i, old in enumerate(suite.entries) if old.id == entry.id), None)
        if entry.off:
            if at is not None:
                del suite.entries[at]
        elif at is None:
            suite.entries.append(entry)
        else:
            suite.entries[at] = entry
    if not suite.entries:
        raise SuiteError(label, lines.get("expectations", 1), "the suite has no expectations")
    return suite


def _catalog(
    data: dict[str, Any], root: yaml.MappingNode, label: str, path: Path, suite: Suite
) -> Catalog:
    """The expectations this suite may name: built-ins, installed plugins, and the modules its
    ``plugins`` key (and its extended suite's) names, imported now."""
    lines = _key_lines(root)
    try:
        known = catalog()
    except PluginError as exc:
        raise SuiteError(label, None, f"an installed plugin is broken: {exc}") from None
    search = list(dict.fromkeys([path.parent.resolve(), Path.cwd().resolve()]))
    for name in suite.plugins:
        try:
            known.add(load_module(name, search), f"plugin module {name!r}")
        except PluginError as exc:
            raise SuiteError(label, lines.get("extends"), f"the extended suite's {exc}") from None
    raw = data.get("plugins")
    if raw is None:
        return known
    node = _value_node(root, "plugins")
    if not isinstance(raw, list) or not isinstance(node, yaml.SequenceNode):
        raise SuiteError(
            label, lines.get("plugins"), "'plugins' is a list of module names: [my_team.checks]"
        )
    for name, item_node in zip(raw, node.value, strict=True):
        line = item_node.start_mark.line + 1
        if not isinstance(name, str) or not name.strip():
            raise SuiteError(label, line, f"a plugin is a module name (text), not {name!r}")
        try:
            known.add(load_module(name, search), f"plugin module {name!r}")
        except PluginError as exc:
            raise SuiteError(label, line, str(exc)) from None
        if name not in suite.plugins:
            suite.plugins.append(name)
    return known


def _entry(item: object, node: yaml.Node, label: str, known: Catalog) -> SuiteEntry:
    line = node.start_mark.line + 1
    if not isinstance(item, dict) or not isinstance(node, yaml.MappingNode):
        raise SuiteError(label, line, "each expectation is a mapping: '- expect: NAME'")
    lines = _key_lines(node)
    name = item.get("expect")
    if not isinstance(name, str):
        raise SuiteError(
            label, line, "an expectation needs 'expect: NAME' (see 'toolkit expectations')"
        )
    exp = known.get(name)
    if exp is None:
        close = difflib.get_close_matches(name, known.names(), n=1)
        more = f"did you mean {close[0]!r}? " if close else ""
        raise SuiteError(
            label,
            lines.get("expect", line),
            f"unknown expectation {name!r}: {more}'toolkit expectations' lists the catalog",
        )
    severity = item.get("severity", exp.severity)
    # YAML 1.1 reads an unquoted `off` as false: either spelling switches the entry off.
    off = severity is False or severity == "off"
    if off:
        severity = exp.severity
    if severity not in SEVERITIES:
        raise SuiteError(
            label,
            lines.get("severity", line),
            f"severity {severity!r} is not one of {', '.join(SEVERITIES)}, or off",
        )
    mostly = item.get("mostly")
    if mostly is not None and (
        isinstance(mostly, bool) or not isinstance(mostly, int | float) or not 0 <= mostly <= 1
    ):
        raise SuiteError(
            label, lines.get("mostly", line), f"mostly must be a number from 0 to 1, not {mostly!r}"
        )
    condition = item.get("row_condition")
    if condition is not None:
        problem = condition_problem(condition)
        if problem is not None:
            raise SuiteError(label, lines.get("row_condition", line), f"row_condition: {problem}")
    given = {k: v for k, v in item.items() if k not in _ENTRY_KEYS}
    try:
        # Parameters naming files (a tag vocabulary) may be relative to the suite file.
        params = exp.params.model_validate(given, context={"suite_dir": str(Path(label).parent)})
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else ""
        valid = sorted(exp.params.model_fields)
        if err["type"] == "extra_forbidden":
            msg = _unknown(f"parameter of {name}", key, valid)
        elif err["type"] == "missing":
            msg = f"{name} needs the parameter {key!r}"
        elif not key:
            msg = f"{name}: {err['msg']}"
        else:
            msg = f"{name}: parameter {key!r}: {err['msg']}"
        raise SuiteError(label, lines.get(key, line), msg) from exc
    entry_id = item.get("id")
    if entry_id is None:
        column = getattr(params, "column", None)
        entry_id = f"{name}[{column}]" if isinstance(column, str) and column != exp.field else name
    elif isinstance(entry_id, bool) or not isinstance(entry_id, str | int) or entry_id == "":
        raise SuiteError(label, lines.get("id", line), f"'id' is a name (text), not {entry_id!r}")
    _plain_text(str(entry_id), "an id", label, lines.get("id", line))
    return SuiteEntry(
        id=str(entry_id),
        expectation=exp,
        params=params,
        severity=severity,
        mostly=float(mostly) if mostly is not None else None,
        row_condition=condition,
        line=line,
        off=off,
    )


def _plain_text(text: str, what: str, label: str, line: int | None, lines_ok: bool = False) -> None:
    """Names and descriptions reach terminals, CI logs and XML reports: a control or format
    character (an escape sequence, a bidi override) in one is refused where it is written."""
    for ch in text:
        if lines_ok and ch in "\n\t":
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            raise SuiteError(
                label,
                line,
                f"{what} holds the control character U+{ord(ch):04X}: write plain text",
            )


def _bad_timestamp(node: yaml.Node | None) -> yaml.ScalarNode | None:
    """The first scalar YAML takes for a date that cannot be built."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:timestamp":
            try:
                yaml.SafeLoader("").construct_yaml_timestamp(node)
            except ValueError:
                return node
        return None
    children: list[Any] = []
    if isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    for child in children:
        found = _bad_timestamp(child)
        if found is not None:
            return found
    return None


def _unknown(what: str, key: object, valid: set[str] | list[str]) -> str:
    options = sorted(valid)
    close = difflib.get_close_matches(str(key), options, n=1)
    more = f"did you mean {close[0]!r}? " if close else ""
    listed = ", ".join(options) if options else "none"
    return f"unknown {what} {key!r}: {more}valid: {listed}"


def _key_lines(node: yaml.MappingNode) -> dict[str, int]:
    return {
        str(k.value): k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)
    }


def _value_node(node: yaml.MappingNode, key: str) -> Any:
    return next(
        (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None
    )
