"""docs/format.md: generated from the ontology and the loader's key tables, up to date, complete
(every key, type, role and value scheme, each with an example), linked from the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, SKOS

from kg import formatdoc
from kg.cli import main
from kg.ingest.articles import ARTICLE_KEYS
from kg.ingest.authoring import CLAIM_KEYS, FILE_KEYS, TIME_KEYS
from kg.namespaces import GC

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "format.md"


@pytest.fixture(scope="module")
def graph() -> object:
    return formatdoc.load(ROOT / "ontology")


@pytest.fixture(scope="module")
def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def test_the_page_is_up_to_date(graph: object, page: str) -> None:
    assert page == formatdoc.render(graph), "run: kg docs --format-page docs/format.md"


def test_kg_docs_writes_the_same_page(tmp_path: Path, page: str) -> None:
    result = CliRunner().invoke(main, ["docs", "--out", str(tmp_path), "--source-dir", str(ROOT)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "format.md").read_text(encoding="utf-8") == page
    assert (tmp_path / "index.html").exists()


def test_every_key_is_on_the_page(page: str) -> None:
    for table in (ARTICLE_KEYS, FILE_KEYS, CLAIM_KEYS, TIME_KEYS):
        for key in table:
            assert f"| `{key}` |" in page, key


def _ours(graph: object, kind: URIRef) -> list[str]:
    return sorted(
        str(s)[len(GC) :]
        for s in graph.subjects(RDF.type, kind)  # type: ignore[attr-defined]
        if str(s).startswith(GC) and "/" not in str(s)[len(GC) :]
    )


def test_every_type_and_role_is_on_the_page(graph: object, page: str) -> None:
    for name in _ours(graph, OWL.Class):
        assert re.search(rf"^#+ `{name}`$", page, re.M) or f"| `{name}` |" in page, name
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for name in _ours(graph, kind):
            assert f"#### `{name}`" in page, name


def _section(page: str, heading: str) -> str:
    start = page.index(heading)
    end = re.search(r"\n#{2,4} ", page[start + len(heading) :])
    return page[start : start + len(heading) + (end.start() if end else len(page))]


def test_every_type_and_role_has_an_example(graph: object, page: str) -> None:
    for name in _ours(graph, OWL.Class):  # a type with a card (propositions, events)
        if f"#### `{name}`" in page:
            assert "```yaml" in _section(page, f"#### `{name}`"), name
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for name in _ours(graph, kind):
            card = _section(page, f"#### `{name}`")
            assert "```yaml" in card or "Example: see" in card, name


def test_every_scheme_and_value_is_on_the_page(graph: object, page: str) -> None:
    schemes = [
        s
        for s in graph.subjects(RDF.type, SKOS.ConceptScheme)  # type: ignore[attr-defined]
        if str(s).startswith(GC + "scheme/")
    ]
    assert len(schemes) >= 11
    for scheme in schemes:
        name = str(scheme).rsplit("/", 1)[1]
        section = _section(page, f"### {name}\n")
        assert "Example: `" in section, name
        for concept in graph.subjects(SKOS.inScheme, scheme):  # type: ignore[attr-defined]
            notation = str(graph.value(concept, SKOS.notation))  # type: ignore[attr-defined]
            assert f"| `{notation}` |" in section, (name, notation)


def test_new_types_carry_their_cameo_and_plover_mappings(page: str) -> None:
    assert "exactMatch cameo:163; closeMatch plover:SANCTION" in _section(page, "#### `Sanction`")
    assert "exactMatch cameo:011" in _section(page, "#### `CommentRefusal`")


def test_the_readme_links_the_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/format.md)" in readme
