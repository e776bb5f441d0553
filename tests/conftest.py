"""Shared fixtures: settings pointing at temporary stores, and the seed graph built once."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.config import Config


@pytest.fixture(scope="session")
def seed_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """Settings for a store under a temporary directory, with the seed data built into it."""
    from kg.build import build

    data_dir = tmp_path_factory.mktemp("seed-store") / "store"
    config = Config.load({"data_dir": str(data_dir)}, environ={})
    build(config)
    return config


@pytest.fixture()
def fresh_config(tmp_path: Path) -> Config:
    """Settings for an empty store in this test's own temporary directory."""
    return Config.load({"data_dir": str(tmp_path / "store")}, environ={})
