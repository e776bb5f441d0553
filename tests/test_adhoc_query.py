"""`kg query` with a query of the user's own: from standard input (-) or a file, in every format
(as `oxigraph query` and Jena's `arq` do)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from kg.cli import main
from kg.config import Config
from kg.store import EmbeddedStore

SELECT = """PREFIX schema: <http://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?who (COUNT(?c) AS ?claims) WHERE {
  ?c a schema:Claim ; prov:wasAttributedTo/rdfs:label ?who .
} GROUP BY ?who ORDER BY DESC(?claims) ?who"""
CONSTRUCT = """CONSTRUCT { ?c <http://schema.org/about> ?e }
WHERE { ?c a <https://w3id.org/geoclaims/ontology/Denial> ; <http://schema.org/about> ?e }"""


def run(config: Config, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["query", "--data-dir", config.data_dir, *args], input=stdin)
    return result.exit_code, result.output


def expected_counts(config: Config) -> list[tuple[str, int]]:
    store = EmbeddedStore(Path(config.data_dir), read_only=True)
    rows = [(r["who"].value, int(r["claims"].value)) for r in store.query(SELECT)]
    del store
    return rows


def test_select_from_standard_input_as_csv(seed_config: Config) -> None:
    code, out = run(seed_config, "-", "--format", "csv", stdin=SELECT)
    assert code == 0, out
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["who", "claims"]
    assert [(w, int(n)) for w, n in rows[1:]] == expected_counts(seed_config)
    assert ("NATO", 3) in [(w, int(n)) for w, n in rows[1:]]


@pytest.mark.parametrize("fmt", ["json", "tsv", "table", "xml"])
def test_select_from_a_file_in_each_format(seed_config: Config, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "who.rq"
    path.write_text(SELECT, encoding="utf-8")
    code, out = run(seed_config, str(path), "--format", fmt)
    assert code == 0, out
    expected = expected_counts(seed_config)
    if fmt == "json":
        bindings = json.loads(out)["results"]["bindings"]
        assert [(b["who"]["value"], int(b["claims"]["value"])) for b in bindings] == expected
    elif fmt == "tsv":
        lines = out.splitlines()
        assert lines[0] == "?who\t?claims" and len(lines) == len(expected) + 1
    elif fmt == "table":
        assert out.splitlines()[-1] == f"({len(expected)} rows)"
    else:
        assert out.startswith("<?xml") and out.count("<result>") == len(expected)


@pytest.mark.parametrize(("fmt", "rdf"), [("turtle", "turtle"), ("nt", "nt"), ("jsonld", None),
                                           ("rdfxml", "xml"), ("table", "turtle")])  # fmt: skip
def test_construct_in_rdf_formats(seed_config: Config, fmt: str, rdf: str | None) -> None:
    code, out = run(seed_config, "-", "--format", fmt, stdin=CONSTRUCT)
    assert code == 0, out
    store = EmbeddedStore(Path(seed_config.data_dir), read_only=True)
    nt = store.query(CONSTRUCT).serialize(format=ox.RdfFormat.N_TRIPLES).decode()
    del store
    want = rdflib.Graph().parse(data=nt, format="nt")
    assert len(want) == 4  # two denials, each about NATO and Belarus
    if rdf is None:
        triples = [q.triple for q in ox.parse(out.encode(), format=ox.RdfFormat.JSON_LD)]
        got = rdflib.Graph().parse(
            data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt"
        )
    else:
        got = rdflib.Graph().parse(data=out, format=rdf)
    assert isomorphic(got, want)


def test_a_file_with_a_header_takes_parameters(seed_config: Config, tmp_path: Path) -> None:
    path = tmp_path / "by-claimant.rq"
    path.write_text(
        "#+ title: Claims of one claimant\n#+ description: counts them\n"
        "#+ params:\n#+   - {name: who, type: entity}\n"
        "SELECT ?who (COUNT(?c) AS ?n) WHERE { ?c <http://www.w3.org/ns/prov#wasAttributedTo>"
        " ?who } GROUP BY ?who\n",
        encoding="utf-8",
    )
    code, out = run(seed_config, str(path), "-p", "who=nato", "--format", "json")
    assert code == 0, out
    (row,) = json.loads(out)["results"]["bindings"]
    assert row["n"]["value"] == "3" and row["who"]["value"].endswith("/entity/nato")


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["-"], "SELECT * WHERE { ?s ?p }", 4, "error: error at 1:"),
        (["-"], "   \n", 4, "error: no query in standard input"),
        (["-", "--format", "turtle"], "SELECT * WHERE { ?s ?p ?o } LIMIT 1", 4,
         "format 'turtle' is for the graphs of CONSTRUCT and DESCRIBE; SELECT and ASK take"),
        (["nowhere/query.rq"], None, 5, "cannot read the query file nowhere/query.rq"),
        (["disputd-claims"], None, 5,
         "no named query 'disputd-claims' (did you mean 'disputed-claims'?)"),
    ],
)  # fmt: skip
def test_errors_name_the_problem(
    seed_config: Config, args: list[str], stdin: str | None, code: int, message: str
) -> None:
    got, out = run(seed_config, *args, stdin=stdin)
    assert got == code, out
    assert message in out
