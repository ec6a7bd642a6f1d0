"""Project configuration: ``[tool.toolkit]`` in pyproject.toml, or a toolkit.toml.

Found as ruff and pytest find theirs: walking up from the working directory, the first file
that has the table wins, ``toolkit.toml`` before ``pyproject.toml`` in the same directory.
The command line overrides the file, the file overrides the defaults, and every effective
setting remembers where it came from (``toolkit config``, ``toolkit check --show-settings``).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from toolkit.engines import DEFAULT_BATCH
from toolkit.suite import (
    SHIPPED_DIR,
    SUITE_DIR,
    SUITE_SUFFIXES,
    Suite,
    SuiteEntry,
    SuiteError,
    available_suites,
    resolve_suite,
)

CONFIG_NAMES = ("toolkit.toml", "pyproject.toml")
DEFAULT_SOURCE = "default"
COMMAND_LINE = "command line"


class ConfigError(Exception):
    """A configuration that cannot be used; ``str()`` reads ``file:line: message``."""

    def __init__(self, file: Path | str, line: int | None, message: str) -> None:
        self.file = str(file)
        self.line = line
        shown = near(Path(file))
        place = f"{shown}:{line}" if line else shown
        super().__init__(f"{place}: {message}")


@dataclass(frozen=True)
class Key:
    """One configuration key: its default, how to check a value, and what it is for."""

    default: Any
    kind: str  # paths | suites | formats | path | names | count | positive | bool | engine
    help: str


KEYS: dict[str, Key] = {
    "paths": Key([], "paths", "dump files or directories to check"),
    "suites": Key([], "suites", "suite files or names (default: suites no other suite extends)"),
    "formats": Key(["rich"], "formats", "report formats, NAME or NAME:PATH"),
    "output": Key(None, "path", "where the one format without a path is written"),
    "select": Key([], "names", "only these expectation ids or families"),
    "ignore": Key([], "names", "skip these expectation ids or families"),
    "baseline": Key(None, "path", "accepted findings: only new ones fail"),
    "history": Key(None, "path", "directory of the run history (toolkit history)"),
    "max_findings": Key(None, "count", "findings kept per expectation (0: all)"),
    "batch_size": Key(DEFAULT_BATCH, "positive", "articles validated together in one batch"),
    "jobs": Key(1, "positive", "worker processes"),
    "engine": Key("pandera", "engine", "an engine of toolkit.engines: pandera, gx, ..."),
    "max_annotations": Key(50, "count", "most annotations the github format prints"),
    "redact_emails": Key(False, "bool", "replace email addresses in every report"),
    "show_passing": Key(False, "bool", "list passing expectations in the terminal report"),
    "show_info": Key(False, "bool", "list info findings in the terminal report"),
    "input_format": Key(None, "input_format", "read every input file as this format"),
    "input_preset": Key(None, "input_preset", "field mapping preset of record feeds"),
    "input_map": Key({}, "input_map", "article field = record field, over the preset"),
}
# Keys the configuration will take but this version does not: refused with a clear message
# rather than read as unknown.
RESERVED = {
    "input": "the input mapping is set with the keys input_format, input_preset and "
    "input_map (a table: article field = record field)"
}


@dataclass
class ConfigFile:
    path: Path
    table: dict[str, Any]
    text: str
    # The line of the table's header ([tool.toolkit]); 0 for a toolkit.toml's top level.
    header: int = 0

    def line_of(self, key: str) -> int | None:
        """The line where ``key`` is set. tomllib gives no positions, so the key is looked up
        in the text of the table's own section (from its header to the next header)."""
        lines = self.text.splitlines()
        pattern = re.compile(rf"""^\s*(["']?){re.escape(key)}\1\s*=""")
        for number in range(self.header, len(lines)):
            if lines[number].lstrip().startswith("["):
                break  # the next table: the key is not set in this one
            if pattern.match(lines[number]):
                return number + 1
        # A sub-table: [key] in a toolkit.toml, [tool.toolkit.key] in a pyproject.toml.
        prefix = r"tool\.toolkit\." if self.header else ""
        table = re.compile(rf"^\s*\[\s*{prefix}{re.escape(key)}\s*\]")
        for number, line in enumerate(lines):
            if table.match(line):
                return number + 1
        return self.header or None

    def place(self, key: str) -> str:
        line = self.line_of(key)
        return f"{near(self.path)}:{line}" if line else near(self.path)


@dataclass
class Settings:
    """Effective settings of a run and where each came from."""

    values: dict[str, Any]
    sources: dict[str, str]
    config: ConfigFile | None = None

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


@dataclass
class _Reader:
    config: ConfigFile
    base: Path = field(init=False)

    def __post_init__(self) -> None:
        self.base = self.config.path.parent

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(self.config.path, self.config.line_of(key), message)

    def value(self, key: str, raw: Any) -> Any:
        kind = KEYS[key].kind
        check: Callable[[str, Any], Any] = getattr(self, f"_{kind}")
        return check(key, raw)

    def _strings(self, key: str, raw: Any) -> list[str]:
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(v, str) and v for v in raw):
            raise self.fail(key, f"{key!r} is a list of strings, not {raw!r}")
        return list(raw)

    def _paths(self, key: str, raw: Any) -> list[str]:
        return [near(self.base / v) for v in self._strings(key, raw)]

    def _suites(self, key: str, raw: Any) -> list[str]:
        out = []
        for ref in self._strings(key, raw):
            # A file path is relative to this file; a NAME is looked up in the expectations/
            # beside it, or else (later, with its own error) in the working directory's.
            if "/" in ref or ref.endswith(SUITE_SUFFIXES):
                out.append(near(self.base / ref))
                continue
            local = next(
                (
                    self.base / SUITE_DIR / f"{ref}{s}"
                    for s in SUITE_SUFFIXES
                    if (self.base / SUITE_DIR / f"{ref}{s}").is_file()
                ),
                None,
            )
            out.append(near(local) if local is not None else ref)
        return out

    def _formats(self, key: str, raw: Any) -> list[str]:
        from toolkit.reporters import REPORTERS

        out = []
        for spec in self._strings(key, raw):
            name, sep, path = spec.partition(":")
            if name.strip().lower() not in REPORTERS:
                raise self.fail(key, _unknown("format", name, list(REPORTERS)))
            out.append(
                f"{name}:{near(self.base / path)}" if sep and path not in ("", "-") else spec
            )
        return out

    def _path(self, key: str, raw: Any) -> str:
        if not isinstance(raw, str) or not raw:
            raise self.fail(key, f"{key!r} is a path (a string), not {raw!r}")
        return near(self.base / raw)

    def _names(self, key: str, raw: Any) -> list[str]:
        return split_names(self._strings(key, raw))

    def _count(self, key: str, raw: Any) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            raise self.fail(key, f"{key!r} is a whole number, 0 or more, not {raw!r}")
        return raw

    def _positive(self, key: str, raw: Any) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
            raise self.fail(key, f"{key!r} is a whole number, 1 or more, not {raw!r}")
        return raw

    def _bool(self, key: str, raw: Any) -> bool:
        if not isinstance(raw, bool):
            raise self.fail(key, f"{key!r} is true or false, not {raw!r}")
        return raw

    def _input_format(self, key: str, raw: Any) -> str:
        from toolkit.readers.formats import FORMATS

        if raw not in FORMATS:
            raise self.fail(key, f"{key!r} is one of {', '.join(FORMATS)}, not {raw!r}")
        return str(raw)

    def _input_preset(self, key: str, raw: Any) -> str:
        from toolkit.readers.mapping import PRESETS

        if raw not in PRESETS:
            raise self.fail(key, f"{key!r} is one of {', '.join(PRESETS)}, not {raw!r}")
        return str(raw)

    def _input_map(self, key: str, raw: Any) -> dict[str, str]:
        from toolkit.readers.mapping import resolve_mapping

        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise self.fail(key, f"{key!r} is a table of article field = record field, not {raw!r}")
        try:
            resolve_mapping(None, raw)
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None
        return dict(raw)

    def _engine(self, key: str, raw: Any) -> str:
        from toolkit.engines import ENGINES

        if raw not in ENGINES:
            raise self.fail(key, f"{key!r} is one of {', '.join(ENGINES)}, not {raw!r}")
        return str(raw)


def near(path: Path) -> str:
    """A path relative to the working directory when under it (as findings show files)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


def split_names(values: Sequence[str]) -> list[str]:
    """``--select a,b --select c`` -> [a, b, c]."""
    return [name.strip() for v in values for name in v.split(",") if name.strip()]


def find_config(start: Path | None = None) -> ConfigFile | None:
    """The first configuration walking up from ``start`` (the working directory)."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                found = read_config(candidate, required=name == "toolkit.toml")
                if found is not None:
                    return found
    return None


def read_config(path: Path, required: bool = True) -> ConfigFile | None:
    """A toolkit.toml (its top level is the table) or the ``[tool.toolkit]`` table of a
    pyproject.toml (None when it has none and ``required`` is false)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot read the configuration: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"\(at line (\d+)", str(exc))
        line = int(at.group(1)) if at else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(path, line, f"broken TOML: {message}") from None
    if path.name == "pyproject.toml" or not required:
        tool = data.get("tool", {})
        table = tool.get("toolkit") if isinstance(tool, dict) else None
        if table is None:
            if required:
                raise ConfigError(path, None, "no [tool.toolkit] table in this file")
            return None
        header = _header_line(text, r"tool\.toolkit")
    else:
        table, header = data, 0
    if not isinstance(table, dict):
        raise ConfigError(path, header or None, "[tool.toolkit] must be a table")
    return ConfigFile(path=path, table=table, text=text, header=header)


def _header_line(text: str, name: str) -> int:
    pattern = re.compile(rf"^\s*\[\s*{name}\s*\]")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return 0


def file_values(config: ConfigFile) -> dict[str, Any]:
    """The table's keys, checked and with relative paths made relative to the file."""
    reader = _Reader(config)
    out: dict[str, Any] = {}
    for key, raw in config.table.items():
        if key in RESERVED:
            raise reader.fail(key, f"{key!r}: {RESERVED[key]}")
        if key not in KEYS:
            raise reader.fail(key, _unknown("configuration key", key, list(KEYS)))
        out[key] = reader.value(key, raw)
    return out


def resolve(given: Mapping[str, Any], config: ConfigFile | None) -> Settings:
    """Defaults, then the file, then ``given`` (the options set on the command line)."""
    values = {key: spec.default for key, spec in KEYS.items()}
    sources = dict.fromkeys(KEYS, DEFAULT_SOURCE)
    if config is not None:
        for key, value in file_values(config).items():
            values[key] = value
            sources[key] = config.place(key)
    for key, value in given.items():
        values[key] = split_names(value) if KEYS[key].kind == "names" else value
        sources[key] = COMMAND_LINE
    return Settings(values=values, sources=sources, config=config)


def load(config_path: Path | None = None) -> ConfigFile | None:
    """``--config FILE``, or the configuration found from the working directory."""
    if config_path is not None:
        if not config_path.is_file():
            raise ConfigError(config_path, None, "no such configuration file")
        return read_config(config_path, required=True)
    return find_config()


def describe(settings: Settings) -> str:
    """The effective settings, one a line, with where each came from."""
    config = settings.config
    head = (
        f"configuration: {near(config.path)}" + (" [tool.toolkit]" if config.header else "")
        if config
        else "configuration: none found (toolkit.toml or [tool.toolkit] in pyproject.toml)"
    )
    width = max(len(k) for k in KEYS)
    shown = {k: _toml(v) for k, v in settings.values.items()}
    value_width = min(40, max(len(v) for v in shown.values()))
    lines = [head]
    for key in KEYS:
        lines.append(f"{key:<{width}} = {shown[key]:<{value_width}}  # {settings.sources[key]}")
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def _unknown(what: str, key: object, valid: Sequence[str]) -> str:
    close = difflib.get_close_matches(str(key), list(valid), n=1)
    more = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown {what} {key!r}: {more}valid: {', '.join(sorted(valid))}"


# --- the suites a run uses -------------------------------------------------------------------


def default_suites(directory: Path = SUITE_DIR) -> list[Path]:
    """The suites in ``directory`` that no other suite there extends: a suite that extends
    another already runs the other's expectations, and running both reports each defect
    twice. With no suite there (a run outside any project), the shipped ``news`` suite."""
    paths = available_suites(directory)
    if not paths:
        return [SHIPPED_DIR / "news.yaml"]
    extended: set[Path] = set()
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError):
            continue  # loading the suite reports it, with file and line
        base = data.get("extends") if isinstance(data, dict) else None
        if not isinstance(base, str):
            continue
        try:
            extended.add(resolve_suite(base, directory).resolve())
        except SuiteError:
            sibling = path.parent / base
            for candidate in (sibling, *(sibling.with_suffix(s) for s in SUITE_SUFFIXES)):
                if candidate.is_file():
                    extended.add(candidate.resolve())
    return [p for p in paths if p.resolve() not in extended]


class SelectionError(Exception):
    """--select/--ignore (or the configuration's) names something no suite or catalog has."""


def select_entries(suites: list[Suite], select: Sequence[str], ignore: Sequence[str]) -> None:
    """Keep, in place, the entries of ``suites`` that ``select`` names (all when empty) and
    ``ignore`` does not. A name is an entry id (``body_min_words``, ``matches_regex[body]``),
    an expectation name, or a family (``body``, ``hygiene``, ``dates``: `toolkit expectations`
    lists them)."""
    if not select and not ignore:
        return
    from toolkit.expectations import BUILTINS

    # Built-in names are known even when no suite runs them: ignoring one is not an error.
    known: set[str] = set()
    for exp in BUILTINS:
        known.update((exp.name, exp.family))
    for suite in suites:
        for entry in suite.entries:
            known.update((entry.id, entry.expectation.name, entry.expectation.family))
    for name in (*select, *ignore):
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            more = f"; did you mean {close[0]!r}?" if close else ""
            raise SelectionError(
                f"select/ignore: no expectation id or family {name!r}{more} "
                "('toolkit expectations' lists names and families)"
            )

    def named(entry: SuiteEntry, names: Sequence[str]) -> bool:
        exp = entry.expectation
        return any(n in (entry.id, exp.name, exp.family) for n in names)

    for suite in suites:
        suite.entries = [
            e for e in suite.entries if (not select or named(e, select)) and not named(e, ignore)
        ]
