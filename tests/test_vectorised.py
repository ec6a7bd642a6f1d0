"""Checks stay vectorised: no string operation falls back to a Python loop per article.

pandas runs a regex on an Arrow column in pyarrow (RE2) unless the pattern needs Python's
``re`` (\\s, \\d, \\w, \\b, lookarounds, backreferences, "\\u" escapes); then it loops in Python
over every value. This test makes that fallback fail loudly for every shipped suite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pandas.core.arrays import ArrowExtensionArray
from pandas.core.arrays.string_arrow import ArrowStringArray

from tests.conftest import CORPORA, SUITES
from toolkit.engine import check
from toolkit.suite import load_suite


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("a string operation fell back to a Python loop over the column")


@pytest.mark.parametrize("suite_file", sorted(SUITES.glob("*.yaml")), ids=lambda p: p.stem)
def test_no_python_fallback_in_shipped_suites(
    suite_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = load_suite(suite_file, directory=SUITES)
    monkeypatch.setattr(ArrowStringArray, "_str_map", _refuse)
    monkeypatch.setattr(ArrowExtensionArray, "_apply_re_fallback", _refuse, raising=False)
    result = check([CORPORA / "clean", CORPORA / "broken", CORPORA / "seed"], [suite])
    assert result.summary.articles > 0
