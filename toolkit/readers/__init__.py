"""Finding input files and reading them into articles, one module per input format."""

from toolkit.readers.discover import Discovery, discover
from toolkit.readers.dump import ReadOutcome, ReadProblem, read_dump

__all__ = ["Discovery", "ReadOutcome", "ReadProblem", "discover", "read_dump"]
