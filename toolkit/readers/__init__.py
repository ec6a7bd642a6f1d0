"""Finding input files and reading them into articles, one module per input format."""

from toolkit.readers.discover import Discovery, Skip, discover, shown_path
from toolkit.readers.dump import (
    DEFAULT_MAX_FILE_SIZE,
    ReadOutcome,
    ReadProblem,
    parse_size,
    read_dump,
)

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "Discovery",
    "ReadOutcome",
    "ReadProblem",
    "Skip",
    "discover",
    "parse_size",
    "read_dump",
    "shown_path",
]
