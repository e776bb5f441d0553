"""The README keeps up with the code: every setting, every command, the CI's test command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.config import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_every_setting_is_in_the_readme(setting) -> None:
    assert setting.env in README


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_serve_help(setting) -> None:
    result = CliRunner().invoke(main, ["serve", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert setting.flag in result.output
    assert setting.env in result.output


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert re.search(rf"\bkg {command}\b", README), f"`kg {command}` is not in README.md"


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"^(pip install -e '\.\[test\]' && pytest)\b", README, re.M)
    assert commands, "the README's test command is missing"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[0] in ci


def test_readme_run_command_serves() -> None:
    assert re.search(r"^pip install -e \. && kg serve\b", README, re.M)
