"""Files: every input file is readable article text (UTF-8, not empty, not binary, within the
size limit, readable at all).

The readers judge files (toolkit.readers.dump); this definition gives the judgement its name,
severity and advice. It is part of every suite, listed or not, so unreadable input is never
passed over; a suite lists it only to change its severity.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.expectations.base import NoParams
from toolkit.result import Severity


@dataclass(frozen=True)
class FileExpectation:
    name: str
    family: str
    description: str
    field: str
    params: type[NoParams]
    fix: str
    severity: Severity = "critical"
    breaker: None = None

    def field_of(self, params: object) -> str:
        return self.field


file_readable = FileExpectation(
    name="file_readable",
    family="files",
    description="Every input file is readable UTF-8 article text (UTF-16/32 with a BOM too): "
    "not empty, not binary, no bad bytes, within --max-file-size.",
    field="file",
    params=NoParams,
    fix="Re-encode the file to UTF-8, or re-fetch it: an empty or binary file means the scraper "
    "saved an error page, a compressed response or nothing at all. A file that cannot be read "
    "needs its permissions fixed; one over the size limit, --max-file-size raised.",
)
