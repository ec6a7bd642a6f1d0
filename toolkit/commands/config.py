"""`toolkit config`: the effective configuration and where each setting came from."""

from __future__ import annotations

import typer

from toolkit.app import ConfigOption, app, fail


@app.command("config")
def show_config(config: ConfigOption = None) -> None:
    """Print the settings `toolkit check` would use here: default, FILE:LINE, or command
    line (`toolkit check ... --show-settings` shows a run's own, options included)."""
    from toolkit.config import ConfigError, describe, load, resolve

    try:
        settings = resolve({}, load(config))
    except ConfigError as exc:
        raise fail(str(exc)) from None
    typer.echo(describe(settings), nl=False)
