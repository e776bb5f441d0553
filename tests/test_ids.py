"""YAML ids: present, well-formed and unique within their list; errors cite file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import DataError
from kg.ingest.ids import by_id
from kg.ingest.yamlfile import load_yaml


def parse(tmp_path: Path, text: str) -> object:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    return load_yaml(path, "x.yaml")


def test_by_id_keeps_the_order_of_the_list(tmp_path: Path) -> None:
    data = parse(tmp_path, "- id: b\n  n: 1\n- id: a\n  n: 2\n")
    found = by_id(data, "agent", "x.yaml")
    assert list(found) == ["b", "a"]
    assert found["a"]["n"] == 2
    assert by_id(None, "agent", "x.yaml") == {}


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("- id: a\n- id: b\n- id: a\n", "duplicate fact id 'a'", 3),
        ("- id: a\n- name: b\n", "a fact needs an id", 2),
        ("- id: a\n- just text\n", "a fact needs an id", 2),
        ("- id: a\n-\n  id: 'no spaces'\n", "bad id 'no spaces'", 3),
    ],
)
def test_by_id_refuses_naming_file_and_line(
    tmp_path: Path, text: str, message: str, line: int
) -> None:
    with pytest.raises(DataError) as caught:
        by_id(parse(tmp_path, text), "fact", "x.yaml")
    assert caught.value.detail.startswith(message)
    assert (caught.value.file, caught.value.line) == ("x.yaml", line)


def test_an_before_a_vowel(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="an entity needs an id"):
        by_id(parse(tmp_path, "- name: x\n"), "entity", "x.yaml")
