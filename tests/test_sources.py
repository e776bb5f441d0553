"""Project folders: `kg init`, which folder each command uses, several folders, and
`kg build --article` on a store that lacks (or holds old) entities, facts and ontology."""

from __future__ import annotations

import gc
import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import sources
from kg.build import build
from kg.cli import main
from kg.config import Config
from kg.errors import ConfigError, DataError
from kg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
SEED = "belarus-protests-2020"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _graphs(path: Path) -> dict[str, set[str]]:
    store = EmbeddedStore(path, read_only=True)
    out: dict[str, set[str]] = {}
    for q in store.oxigraph:
        out.setdefault(q.graph_name.value, set()).add(str(q.triple))
    del store
    gc.collect()
    return out


def test_kg_init_makes_a_project_that_validates(tmp_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(main, ["init", str(tmp_path / "proj")])
    assert made.exit_code == 0, made.output
    assert "data/articles/belarus-protests-2020" in made.output
    project = tmp_path / "proj"
    assert sources.is_project(project)
    assert (project / "data" / "entities.yaml").read_bytes() == (
        ROOT / "data" / "entities.yaml"
    ).read_bytes()
    result = runner.invoke(main, ["validate", "--no-shacl", "--source-dir", str(project)])
    assert result.exit_code == 0, result.output
    assert f"checked project {project}; ontology from the checkout" in result.output
    assert "ok: 1 articles" in result.output
    again = runner.invoke(main, ["init", str(project)])
    assert again.exit_code == ConfigError.exit_code
    assert "exists and is not empty" in again.output


def test_kg_init_empty_and_with_examples(tmp_path: Path) -> None:
    empty = sources.init_project(tmp_path / "empty", empty=True)
    assert not any((tmp_path / "empty" / "data" / "articles").iterdir())
    assert len(empty) == 2
    rich = sources.init_project(tmp_path / "rich", examples=True)
    names = {p.name for p in rich}
    examples = {p.name for p in (ROOT / "examples" / "data" / "articles").iterdir() if p.is_dir()}
    assert {SEED} | examples <= names
    config = Config.load({"source_dir": str(tmp_path / "rich")}, environ={})
    from kg.build import compile_checked

    compiled = compile_checked(config, shapes=False)
    assert set(compiled.articles) == {SEED} | examples


def test_the_current_directory_is_the_project_when_it_is_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "copy"
    sources.init_project(copy, empty=True)
    monkeypatch.chdir(copy)
    assert Config.load({}, environ={}).sources == [copy.resolve()]
    monkeypatch.chdir(tmp_path)  # not a project folder: the checkout
    assert Config.load({}, environ={}).sources == [ROOT]


def test_validate_in_another_copy_checks_that_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: `kg validate` run from another copy of the sources checked the
    installed one. Now it checks the copy, and says so."""
    copy = tmp_path / "other-copy"
    shutil.copytree(ROOT / "data", copy / "data")
    claims = copy / "data" / "articles" / SEED / "claims.yaml"
    claims.write_text(claims.read_text().replace("quote: \"Belarus protests\"",
                                                  "quote: \"Belarus protest s\""))  # fmt: skip
    monkeypatch.chdir(copy)
    result = CliRunner().invoke(main, ["validate", "--no-shacl"])
    assert result.exit_code == DataError.exit_code
    assert "quote not found in article: 'Belarus protest s'" in result.output
    assert f"(sources: project {copy}; ontology from the checkout" in result.output


def test_several_project_folders(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    (extra / "data" / "articles").mkdir(parents=True)
    shutil.copytree(ROOT / "tests" / "data" / "fixture-article",
                    extra / "data" / "articles" / "fixture-article")  # fmt: skip
    (extra / "data" / "entities.yaml").write_text(
        "- {id: kaunas, type: City, label: Kaunas}\n", encoding="utf-8"
    )
    config = Config.load({"source_dir": f"{ROOT}{os.pathsep}{extra}"}, environ={})
    from kg.build import compile_checked

    compiled = compile_checked(config, shapes=False)
    assert set(compiled.articles) == {SEED, "fixture-article"}
    entities = compiled.sink.graphs[f"{config.base_iri}graph/entities"]
    assert any(s.value.endswith("/entity/kaunas") for s, _, _ in entities)
    # A duplicate id across the folders names both places.
    (extra / "data" / "entities.yaml").write_text(
        "- {id: belarus, type: State, label: Belarus}\n", encoding="utf-8"
    )
    with pytest.raises(DataError) as err:
        compile_checked(config, shapes=False)
    assert (
        err.value.message.startswith(
            "extra/data/entities.yaml:1: duplicate entity id 'belarus' (also in data/entities.yaml:"
        )
        or "duplicate entity id 'belarus'" in err.value.message
    )


@pytest.fixture()
def project(tmp_path: Path) -> Config:
    folder = tmp_path / "proj"
    shutil.copytree(ROOT / "ontology", folder / "ontology")
    shutil.copytree(ROOT / "data", folder / "data")
    return Config.load({"source_dir": str(folder), "data_dir": str(tmp_path / "store")}, environ={})


def test_article_build_on_an_empty_store_loads_what_it_needs(project: Config) -> None:
    report = build(project, articles=[SEED], shapes=False)
    graphs = _graphs(Path(project.data_dir))
    base = project.base_iri
    for needed in ("graph/ontology", "graph/shapes", "graph/entities", "reference/R1",
                   f"graph/claims/{SEED}", "graph/reviews"):  # fmt: skip
        assert base + needed in graphs, needed
    assert set(report.reloaded) >= {base + "graph/entities", base + "graph/ontology"}
    assert "missing or changed, reloaded: entities, ontology, reference facts, shapes" in (
        report.summary()
    )
    # kg check ran with the facts there: the seed's contradictions are found.
    verdicts = " ".join(graphs[base + "graph/reviews"])
    assert "verdict/contradicted" in verdicts
    # The same as a full build, apart from the reviews' times.
    again = build(project, articles=[SEED], shapes=False)
    assert again.reloaded == [] and again.unchanged == [SEED]


def test_article_build_reloads_changed_entities_and_facts(project: Config) -> None:
    build(project, check=False, shapes=False)
    entities = project.source / "data" / "entities.yaml"
    entities.write_text(entities.read_text().replace("label: Minsk", "label: Minsk city"))
    facts = project.source / "data" / "reference" / "facts.yaml"
    text = facts.read_text()
    at = text.index("  - id: R16")
    facts.write_text(text[:at].rstrip() + "\n")  # R16 dropped
    report = build(project, articles=[SEED], check=False, shapes=False)
    base = project.base_iri
    assert report.reloaded == [base + "graph/entities", base + "reference/R16"]
    graphs = _graphs(Path(project.data_dir))
    assert any('"Minsk city"@en' in t for t in graphs[base + "graph/entities"])
    assert base + "reference/R16" not in graphs
    assert report.articles == [SEED]  # its load activity hashes the shared files too


def test_article_build_warns_about_entities_it_cannot_describe(project: Config) -> None:
    # A second article names an entity of its own; then the entity leaves entities.yaml and
    # only the seed is rebuilt: the other article's claims still name it.
    second = project.source / "data" / "articles" / "second"
    shutil.copytree(ROOT / "tests" / "data" / "fixture-article", second)
    meta = second / "article.yaml"
    meta.write_text(meta.read_text().replace("id: fixture-article", "id: second"))
    claims = second / "claims.yaml"
    claims.write_text(claims.read_text().replace("about: [minsk]", "about: [minsk, kaunas]"))
    entities = project.source / "data" / "entities.yaml"
    before = entities.read_text()
    entities.write_text(before + "- {id: kaunas, type: City, label: Kaunas}\n")
    build(project, check=False, shapes=False)
    entities.write_text(before)
    argv = ["build", "--article", SEED, "--no-shacl", "--no-check",
            "--source-dir", str(project.source), "--data-dir", project.data_dir]  # fmt: skip
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.output
    kaunas = project.base_iri + "entity/kaunas"
    assert (
        f"warning: {kaunas} is named in {project.base_iri}graph/claims/second but no entity "
        "describes it (no longer in entities.yaml?)"
    ) in result.output
    assert f"kg: project {project.source}" in result.output
    assert "missing or changed, reloaded: entities" in result.output


def test_an_unknown_entity_iri_is_an_error_naming_entities_yaml(project: Config) -> None:
    claims = project.source / "data" / "articles" / SEED / "claims.yaml"
    iri = project.base_iri + "entity/not-loaded-anywhere"
    old = "    proposition: {id: p-protests-in-belarus, type: Protest, location: belarus}"
    claims.write_text(claims.read_text().replace(old, f"    about: ['{iri}']\n{old}"))
    with pytest.raises(DataError) as err:
        build(project, articles=[SEED], check=False, shapes=False)
    assert f"points at {iri}, which no entity in entities.yaml describes" in err.value.message


def test_kg_check_says_when_the_store_has_no_reference_facts(project: Config) -> None:
    store = EmbeddedStore(Path(project.data_dir))
    g = ox.NamedNode(project.base_iri + "graph/claims/x")
    claim_graph = ox.NamedNode("https://w3id.org/geoclaims/ontology/ClaimGraph")
    store.bulk_load([ox.Quad(g, ox.NamedNode(RDF_TYPE), claim_graph, g)])
    store.close()
    del store
    gc.collect()
    result = CliRunner().invoke(main, ["check", "--data-dir", project.data_dir])
    assert result.exit_code == 0, result.output
    assert "warning: the store holds no reference facts, so no claim can be checked" in (
        result.output
    )
