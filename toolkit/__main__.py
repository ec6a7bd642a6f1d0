"""``python -m toolkit``: the same command line as ``toolkit``."""

from toolkit.cli import app

app(prog_name="toolkit")
