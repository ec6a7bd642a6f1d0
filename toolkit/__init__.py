"""toolkit: data validation and fixture testing for news article dumps.

The public API is imported on first use, so that importing the package (as pytest does for
the plugin) does not load pandas and pandera until a check runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from toolkit.engine import check
    from toolkit.result import Finding, Result
    from toolkit.suite import Suite, SuiteError, load_suite

_API = {
    "check": "toolkit.engine",
    "Finding": "toolkit.result",
    "Result": "toolkit.result",
    "Suite": "toolkit.suite",
    "SuiteError": "toolkit.suite",
    "load_suite": "toolkit.suite",
}

__all__ = ["Finding", "Result", "Suite", "SuiteError", "__version__", "check", "load_suite"]


def __getattr__(name: str) -> Any:
    if name in _API:
        from importlib import import_module

        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
