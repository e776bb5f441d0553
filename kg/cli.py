"""The `kg` command: a thin layer over the library (build, query, check, export, serve, ...)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from kg import __version__
from kg.config import SETTINGS, Config
from kg.errors import KGError


def with_settings(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command a flag for every setting; the command receives a `config` argument."""

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        overrides = {s.name: kwargs.pop(s.name, None) for s in SETTINGS}
        try:
            config = Config.load(overrides)
            return command(config=config, **kwargs)
        except KGError as err:
            click.echo(f"error: {err.message}", err=True)
            sys.exit(err.exit_code)

    for setting in reversed(SETTINGS):
        default = setting.default if setting.name != "token" else "(none)"
        help_text = f"{setting.help} [env {setting.env}; default {default!r}]"
        if setting.type is bool:
            wrapper = click.option(
                setting.flag + "/--no-" + setting.flag[2:], setting.name, default=None, help=help_text
            )(wrapper)
        else:
            wrapper = click.option(
                setting.flag, setting.name, type=setting.type, default=None, help=help_text
            )(wrapper)
    return wrapper


@click.group()
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """geoclaims: geopolitical claims from news as a knowledge graph, served over SPARQL."""
