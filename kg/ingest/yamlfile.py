"""YAML read safely, keeping the line of every mapping key and list item for error messages.

Keys starting with `_` (e.g. `_why: "reporting verb 'said'"`) are comments: dropped when read, in
every file and at every level, so drafts and people can explain a value beside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kg.errors import DataError

COMMENT_PREFIX = "_"


class YMap(dict):
    """A YAML mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        """The line of `key`, or of the mapping when the key is absent."""
        return self.lines.get(key, self.line)


class YList(list):
    """A YAML sequence that knows its own line and the line of each item (1-based)."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[int] = []


# libyaml's parser when PyYAML has it (about 10x faster); the same safe tags either way.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader building YMap/YList and refusing duplicate keys."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Any:
    data = YMap()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if isinstance(key, str) and key.startswith(COMMENT_PREFIX):
            continue  # a comment key (`_why: ...`): for people and drafting tools, not the graph
        if key in data:
            raise DataError(f"duplicate key {key!r}", loader.name, line)
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = line


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Any:
    data = YList()
    data.line = node.start_mark.line + 1
    yield data
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.lines.append(item.start_mark.line + 1)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def load_yaml(path: Path, name: str) -> Any:
    """Parse one YAML file; `name` is how errors cite it (e.g. a path relative to the sources)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise DataError(f"cannot read: {err.strerror}", name) from err
    except UnicodeDecodeError as err:
        raise DataError(f"not UTF-8: {err.reason}", name) from err
    loader = _Loader(text)
    loader.name = name  # read back by the constructors for their messages
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(p for p in (err.context, err.problem) if p)
        raise DataError(f"malformed YAML: {problem}", name, line) from err
    except yaml.YAMLError as err:
        raise DataError(f"malformed YAML: {err}", name) from err
    finally:
        loader.dispose()


def as_list(value: Any) -> list[tuple[Any, int | None]]:
    """A value or list of values, each with its own line where known."""
    if isinstance(value, YList):
        return list(zip(value, value.lines, strict=True))
    if isinstance(value, list):
        return [(v, None) for v in value]
    return [(value, None)]
