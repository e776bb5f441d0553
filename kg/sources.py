"""Where the sources come from: the user's project folder(s), this checkout, or the package.

A project folder holds `data/` (entities.yaml, reference/facts.yaml, articles/{id}/) and may hold
its own `ontology/` and `queries/`, which then replace the ones shipped with geoclaims. The
ontology, shapes, value schemes, named queries, the seed article and the example articles ship
inside the package (`kg/bundled/`, copied there when the wheel is built: setup.py); in a checkout
they are read from the top-level folders, the source of truth. `kg init DIR` makes a project.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from kg.errors import ConfigError

CHECKOUT = Path(__file__).resolve().parent.parent
PACKAGED = Path(__file__).resolve().parent / "bundled"
SHIPPED = ("ontology", "queries", "data", "examples")


def in_checkout() -> bool:
    """Whether geoclaims runs from its source checkout (an editable install), not a wheel."""
    return (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "ontology").is_dir()


def shipped(name: str) -> Path:
    """A folder shipped with geoclaims (ontology, queries, data, examples)."""
    return (CHECKOUT if in_checkout() else PACKAGED) / name


def is_project(folder: Path) -> bool:
    """Whether `folder` holds a project's data (data/articles/ or data/entities.yaml)."""
    return (folder / "data" / "articles").is_dir() or (folder / "data" / "entities.yaml").is_file()


def default_project(cwd: Path) -> Path:
    """The current directory if it is a project folder, else the checkout or the packaged seed."""
    if is_project(cwd):
        return cwd.resolve()
    return shipped("data").parent


def folders(setting: str) -> list[Path]:
    """The project folders of a source-dir setting ('a:b' joins several, in order)."""
    parts = [p for p in setting.split(os.pathsep) if p]
    if not parts:
        raise ConfigError("KG_SOURCE_DIR names no folder")
    return [Path(p) for p in parts]


def ontology_dir(projects: Sequence[Path]) -> Path:
    """The first project's own ontology/ (with *.ttl in it), else the shipped one."""
    for folder in projects:
        if any((folder / "ontology").glob("*.ttl")):
            return folder / "ontology"
    return shipped("ontology")


def queries_dir(projects: Sequence[Path]) -> Path:
    """The first project's own queries/ (with *.rq in it), else the shipped one."""
    for folder in projects:
        if any((folder / "queries").glob("*.rq")):
            return folder / "queries"
    return shipped("queries")


def label(folder: Path, first: Path) -> str:
    """How messages name a file of `folder`: relative to the first project (itself: '')."""
    if folder == first:
        return ""
    try:
        return str(folder.resolve().relative_to(first.resolve())) + "/"
    except ValueError:
        return str(folder) + "/"


def describe(projects: Sequence[Path]) -> str:
    """One line saying which folders a command uses."""
    names = ", ".join(str(p) for p in projects)
    where = "the package" if not in_checkout() else "the checkout"
    parts = [f"project {names}"]
    for kind, found in (("ontology", ontology_dir(projects)), ("queries", queries_dir(projects))):
        if not any(found.is_relative_to(p) for p in projects):
            parts.append(f"{kind} from {where} ({found})")
    return "; ".join(parts)


def init_project(target: Path, *, examples: bool = False, empty: bool = False) -> list[Path]:
    """Make a project folder: the shipped entities, reference facts and seed article (or none)."""
    if target.exists() and any(target.iterdir()):
        raise ConfigError(f"{target} exists and is not empty: choose a new folder")
    data = shipped("data")
    made = []
    (target / "data" / "articles").mkdir(parents=True, exist_ok=True)
    shutil.copy(data / "entities.yaml", target / "data" / "entities.yaml")
    (target / "data" / "reference").mkdir(exist_ok=True)
    shutil.copy(data / "reference" / "facts.yaml", target / "data" / "reference" / "facts.yaml")
    made += [target / "data" / "entities.yaml", target / "data" / "reference" / "facts.yaml"]
    articles = [] if empty else sorted(p for p in (data / "articles").iterdir() if p.is_dir())
    if examples:
        extra = shipped("examples") / "data"
        articles += sorted(p for p in (extra / "articles").iterdir() if p.is_dir())
        with (target / "data" / "entities.yaml").open("a", encoding="utf-8") as out:
            out.write("\n# --- entities of the example articles (examples/data/) ---\n")
            out.write((extra / "entities.yaml").read_text(encoding="utf-8"))
    for folder in articles:
        shutil.copytree(folder, target / "data" / "articles" / folder.name)
        made.append(target / "data" / "articles" / folder.name)
    return made
