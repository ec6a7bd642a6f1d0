"""toolkit: data validation and fixture testing for news article dumps."""

__version__ = "0.1.0"

from toolkit.engine import check
from toolkit.result import Finding, Result
from toolkit.suite import Suite, SuiteError, load_suite

__all__ = ["Finding", "Result", "Suite", "SuiteError", "__version__", "check", "load_suite"]
