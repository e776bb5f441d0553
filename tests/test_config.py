"""Settings: one list, read once, from defaults, KG_* variables and explicit overrides."""

from __future__ import annotations

from dataclasses import fields

import pytest

from kg.config import SETTINGS, Config
from kg.errors import ConfigError


def test_config_fields_are_the_settings_with_their_defaults() -> None:
    config = Config()
    assert [f.name for f in fields(Config)] == [s.name for s in SETTINGS]
    for setting in SETTINGS:
        if setting.name != "source_dir":
            assert getattr(config, setting.name) == setting.default, setting.name


def test_environment_then_overrides() -> None:
    env = {"KG_PORT": "9001", "KG_UNION_DEFAULT_GRAPH": "off", "KG_QUERY_TIMEOUT": "2.5"}
    config = Config.load({"port": None}, environ=env)
    assert (config.port, config.union_default_graph, config.query_timeout) == (9001, False, 2.5)
    assert Config.load({"port": 7000}, environ=env).port == 7000


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KG_PORT": "eighty"}, "KG_PORT"),
        ({"KG_UNION_DEFAULT_GRAPH": "maybe"}, "KG_UNION_DEFAULT_GRAPH"),
        ({"KG_BASE_IRI": "https://example.org/kg"}, "KG_BASE_IRI"),
    ],
)
def test_bad_values_are_config_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.load(environ=env)


def test_unknown_override_is_refused() -> None:
    with pytest.raises(ConfigError, match="unknown setting"):
        Config.load({"colour": "blue"}, environ={})


def test_token_is_hidden_in_the_printable_settings() -> None:
    assert Config.load({"token": "s3cret"}, environ={}).as_dict()["token"] == "***"
