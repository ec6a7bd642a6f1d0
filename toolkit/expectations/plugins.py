"""Custom expectations: modules a suite names, and installed packages' entry points.

A custom expectation is defined exactly as a built-in one: a module exposes ``EXPECTATIONS``,
a list of ``Expectation`` / ``CorpusExpectation`` objects. Two ways bring it in:

- a suite names the module: ``plugins: [my_team.expectations]``. It is imported when the suite
  loads, with the suite file's directory and the working directory on the import path (so a
  module kept beside the suites, or in the project, needs no install);
- an installed package declares an entry point in the group ``toolkit.expectations`` whose value
  is the module (``my_team.expectations``) or its list (``my_team.expectations:EXPECTATIONS``).
  Every suite and ``toolkit expectations`` see them.

A custom expectation may not take the name of a built-in one, nor of another plugin's.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

from toolkit.expectations import BUILTINS, AnyExpectation
from toolkit.expectations.base import CorpusExpectation, Expectation, Params

GROUP = "toolkit.expectations"


class PluginError(Exception):
    """A plugin that cannot be used: it does not import, or what it exposes is not a list of
    expectations, or a name clashes."""


def load_module(name: str, search: Sequence[Path] = ()) -> list[AnyExpectation]:
    """The EXPECTATIONS of module ``name``, imported with ``search`` on the import path."""
    for directory in search:
        # Appended, never prepended: a plugin cannot shadow the standard library or toolkit.
        # The path stays, so that the plugin's own later imports (and worker processes) work.
        if str(directory) not in sys.path:
            sys.path.append(str(directory))
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        where = ", ".join(str(d) for d in search)
        raise PluginError(
            f"cannot import the plugin module {name!r}: {exc}"
            + (f" (searched the import path and {where})" if where else "")
        ) from exc
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # sys.exit() in a plugin must not end the run, silently, 0
        raise PluginError(
            f"the plugin module {name!r} raised on import: {type(exc).__name__}: {exc}"
        ) from exc
    return expectations_of(module, f"module {name!r}")


def expectations_of(source: object, label: str) -> list[AnyExpectation]:
    """The expectations a plugin exposes: a module's EXPECTATIONS, or the list itself."""
    found = getattr(source, "EXPECTATIONS", None) if isinstance(source, ModuleType) else source
    if found is None:
        raise PluginError(
            f"{label} has no EXPECTATIONS: expose a list of Expectation or CorpusExpectation "
            "objects, as the built-in modules do"
        )
    if not isinstance(found, list | tuple):
        raise PluginError(f"{label}: EXPECTATIONS must be a list, not {type(found).__name__}")
    out: list[AnyExpectation] = []
    for i, item in enumerate(found):
        if not isinstance(item, Expectation | CorpusExpectation):
            raise PluginError(
                f"{label}: EXPECTATIONS[{i}] is a {type(item).__name__}, not an Expectation or "
                "CorpusExpectation"
            )
        if not (isinstance(item.params, type) and issubclass(item.params, Params)):
            raise PluginError(
                f"{label}: {item.name!r} has params {item.params!r}: give a subclass of "
                "toolkit.expectations.base.Params"
            )
        out.append(item)
    return out


def installed() -> list[tuple[str, list[AnyExpectation]]]:
    """Expectations of installed packages (entry point group ``toolkit.expectations``), with
    the label of each entry point."""
    out = []
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        label = f"entry point {ep.name!r} ({ep.value}) of group {GROUP!r}"
        try:
            loaded = ep.load()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # as for a suite's plugin module: sys.exit() included
            raise PluginError(f"cannot load the {label}: {type(exc).__name__}: {exc}") from exc
        out.append((label, expectations_of(loaded, label)))
    return out


class Catalog:
    """The expectations a suite may name: the built-ins, then each plugin's, names unique."""

    def __init__(self) -> None:
        self.by_name: dict[str, AnyExpectation] = {e.name: e for e in BUILTINS}
        self.origin: dict[str, str] = dict.fromkeys(self.by_name, "built-in")

    def add(self, expectations: Iterable[AnyExpectation], label: str) -> None:
        for exp in expectations:
            known = self.by_name.get(exp.name)
            if known is exp:
                continue  # the same object reached twice (an entry point and a suite's plugins)
            if known is not None:
                what = self.origin[exp.name]
                clash = "the built-in expectation" if what == "built-in" else f"one of {what}"
                raise PluginError(
                    f"{label} defines {exp.name!r}, a name taken by {clash}: rename it"
                )
            self.by_name[exp.name] = exp
            self.origin[exp.name] = label

    def get(self, name: str) -> AnyExpectation | None:
        return self.by_name.get(name)

    def names(self) -> list[str]:
        return list(self.by_name)


def catalog(modules: Sequence[str] = (), search: Sequence[Path] = ()) -> Catalog:
    """The built-ins, the installed plugins and the named ``modules``."""
    out = Catalog()
    for label, found in installed():
        out.add(found, label)
    for name in modules:
        out.add(load_module(name, search), f"plugin module {name!r}")
    return out
