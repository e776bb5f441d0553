"""Packaging hook: the top-level ontology/, queries/, data/ and examples/ (the source of truth in
the repository) are copied into the wheel as kg/bundled/, so an installed geoclaims has them
(kg/sources.py reads them from there when it does not run from a checkout). Everything else is
in pyproject.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("ontology", "queries", "data", "examples")


class BuildWithBundled(build_py):
    """build_py, then the shipped folders under kg/bundled/ of the build (not in editable mode)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout itself
        target = Path(self.build_lib) / "kg" / "bundled"
        for name in BUNDLED:
            if (ROOT / name).is_dir():
                shutil.rmtree(target / name, ignore_errors=True)
                shutil.copytree(ROOT / name, target / name,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))  # fmt: skip


setup(cmdclass={"build_py": BuildWithBundled})
