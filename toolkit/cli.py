"""The command line: the `toolkit` app with every command registered (the entry point).

The app and the options commands share are in toolkit.app; each command is a module of
toolkit/commands/ that registers itself on the app when imported here (one line each)."""

from __future__ import annotations

from toolkit.app import app
from toolkit.commands import baseline as baseline_commands  # noqa: F401
from toolkit.commands import catalog, fixtures, report  # noqa: F401
from toolkit.commands import check as check_command  # first: the first in --help
from toolkit.commands import config as config_commands  # noqa: F401
from toolkit.commands import history as history_commands  # noqa: F401
from toolkit.commands import index as index_commands  # noqa: F401
from toolkit.commands import suite as suite_commands  # noqa: F401

check = check_command.check
run_exit_code = check_command.run_exit_code

__all__ = ["app", "check", "run_exit_code"]
