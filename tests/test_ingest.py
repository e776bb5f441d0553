"""The loader's parts: YAML lines, spans, sentences, the ontology index, file:line errors."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.config import Config
from kg.errors import DataError, ValidationError
from kg.ingest.compile import Compiled, compile_sources
from kg.ingest.nodes import literal
from kg.ingest.spans import locate, sentences
from kg.ingest.validate import validate
from kg.ingest.yamlfile import YList, YMap, load_yaml
from kg.namespaces import GC, NIF, XSD

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "data" / "ingest"


def mini_source(tmp_path: Path) -> Path:
    """A source directory: the project's ontology plus the loader fixture's data."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "ontology", src / "ontology")
    shutil.copytree(FIXTURE / "data", src / "data")
    return src


def test_yaml_keeps_lines(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("# c\n- id: a\n  type: State\n\n- id: b\n  altLabel:\n    - x\n    - y\n")
    data = load_yaml(path, "x.yaml")
    assert isinstance(data, YList) and data.lines == [2, 5]
    assert isinstance(data[1], YMap) and data[1].line_of("altLabel") == 6
    assert data[1]["altLabel"].lines == [7, 8]


def test_yaml_errors_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\nb: [1, 2\nc: 3\n")
    with pytest.raises(DataError, match=r"^x\.yaml:\d+: malformed YAML"):
        load_yaml(path, "x.yaml")
    path.write_text("a: 1\nb: 2\na: 3\n")
    with pytest.raises(DataError, match=r"^x\.yaml:3: duplicate key 'a'"):
        load_yaml(path, "x.yaml")


def test_locate_counts_code_points() -> None:
    text = "“Quoted” – é then café. café again"
    b, e = locate(text, "café.", None)
    assert text[b:e] == "café." and b == len("“Quoted” – é then ")
    with pytest.raises(ValueError, match="2 times"):
        locate(text, "café", None)
    b, e = locate(text, "café", "café again")
    assert (b, e) == (text.rindex("café"), text.rindex("café") + 4)
    with pytest.raises(ValueError, match="not found"):
        locate(text, "absent", None)


def test_sentences_cover_lines_and_bullets() -> None:
    text = (
        "Headline here\n  • Bullet one, said X.\n\nFirst one. “Second” one? Third.\nSub heading\n"
    )
    got = [text[b:e] for b, e in sentences(text)]
    assert got == [
        "Headline here",
        "Bullet one, said X.",
        "First one.",
        "“Second” one?",
        "Third.",
        "Sub heading",
    ]


@pytest.mark.parametrize(
    ("value", "rng", "expected"),
    [
        (
            dt.date(2020, 8, 9),
            XSD + "date",
            ox.Literal("2020-08-09", datatype=ox.NamedNode(XSD + "date")),
        ),
        (3, XSD + "integer", ox.Literal("3", datatype=ox.NamedNode(XSD + "integer"))),
        (True, XSD + "boolean", ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))),
        (1994, XSD + "gYear", ox.Literal("1994", datatype=ox.NamedNode(XSD + "gYear"))),
        ("x", None, ox.Literal("x")),
    ],
)
def test_literal_casts_to_range(value: object, rng: str | None, expected: ox.Literal) -> None:
    assert literal(value, rng, "k") == expected


@pytest.mark.parametrize(
    ("value", "rng"),
    [
        ("soon", XSD + "date"),
        ("3", XSD + "integer"),
        ("yes", XSD + "boolean"),
        ([1], XSD + "integer"),
    ],
)
def test_literal_refuses_bad_values(value: object, rng: str) -> None:
    with pytest.raises(ValueError):
        literal(value, rng, "k")


def test_vocab_reads_kinds_and_supers(tmp_path: Path) -> None:
    compiled = compile_sources(Config.load({"source_dir": str(mini_source(tmp_path))}, environ={}))
    vocab = compiled.vocab
    assert vocab.is_object(GC + "claimant") and not vocab.is_object(GC + "surfaceText")
    assert "http://schema.org/Claim" in vocab.supers_of_class(GC + "Denial")
    assert vocab.concept("https://w3id.org/geoclaims/ontology/scheme/polarity", "+").endswith(
        "polarity/asserted"
    )


def test_compiles_the_fixture_generically(tmp_path: Path) -> None:
    config = Config.load({"source_dir": str(mini_source(tmp_path))}, environ={})
    compiled = compile_sources(config)
    base = config.base_iri
    assert set(compiled.units) >= {
        "ontology",
        "shapes",
        "entities",
        "reference",
        "article/mini-test",
    }
    assert f"{base}proposition/mini-test/p-watch" in compiled.units["article/mini-test"]
    claim = ox.NamedNode(f"{base}claim/mini-test/c-watch")
    graph = compiled.sink.graphs[f"{base}graph/claims/mini-test"]
    preds = {p.value for s, p, _ in graph if s == claim}
    assert {GC + "claimant", GC + "evidence", GC + "timeExpression", GC + "proposition"} <= preds


def _corrupt(src: Path, rel: str, old: str, new: str) -> int:
    """Replace the first `old` in a file; return the (1-based) line where it was."""
    path = src / rel
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return text.count("\n", 0, at) + 1


@pytest.mark.parametrize(
    ("rel", "old", "new", "message"),
    [
        ("data/articles/mini-test/claims.yaml", 'quote: "Russia borders Belarus."',
         'quote: "Russia borders Mars."', "quote not found in article"),
        ("data/articles/mini-test/claims.yaml", "    act: Denial\n",
         "    act: Denial\n    bogusKey: 1\n", "unknown key 'bogusKey'"),
        ("data/articles/mini-test/claims.yaml", "claimant: russia", "claimant: atlantis",
         "unknown id 'atlantis'"),
        ("data/articles/mini-test/claims.yaml", "certainty: PR", "certainty: XX",
         "certainty: unknown value 'XX'"),
        ("data/entities.yaml", "type: Alliance", "type: Aliance", "unknown type 'Aliance'"),
        ("data/reference/facts.yaml", "startDate: 2012-05-07", "startDate: someday",
         "expected a date"),
        ("data/articles/mini-test/article.yaml", "datePublishedMethod: stated",
         "datePublishedMethod: guessed", "datePublishedMethod"),
    ],
)  # fmt: skip
def test_bad_input_names_file_and_line(
    tmp_path: Path, rel: str, old: str, new: str, message: str
) -> None:
    src = mini_source(tmp_path)
    line = _corrupt(src, rel, old, new)
    if "bogusKey" in new:
        line += 1
    with pytest.raises(DataError) as err:
        compile_sources(Config.load({"source_dir": str(src)}, environ={}))
    assert err.value.message.startswith(f"{rel}:{line}: "), err.value.message
    assert message in err.value.message


def test_malformed_yaml_names_file(tmp_path: Path) -> None:
    src = mini_source(tmp_path)
    rel = "data/articles/mini-test/claims.yaml"
    with (src / rel).open("a", encoding="utf-8") as f:
        f.write("oops: [unclosed\n")
    with pytest.raises(DataError) as err:
        compile_sources(Config.load({"source_dir": str(src)}, environ={}))
    assert re.match(re.escape(rel) + r":\d+: malformed YAML", err.value.message)


def _fixture(tmp_path: Path) -> tuple[Config, Compiled]:
    config = Config.load({"source_dir": str(mini_source(tmp_path))}, environ={})
    return config, compile_sources(config)


def test_the_fixture_passes_validation_with_shapes(tmp_path: Path) -> None:
    _, compiled = _fixture(tmp_path)
    validate(compiled, shapes=True)


def test_validation_catches_a_wrong_anchor(tmp_path: Path) -> None:
    config, compiled = _fixture(tmp_path)
    graph = compiled.sink.graphs[f"{config.base_iri}graph/article/mini-test"]
    s, p, o = next(t for t in graph if t[1].value == NIF + "anchorOf")
    del graph[(s, p, o)]
    graph[(s, p, ox.Literal(o.value + "!"))] = None
    with pytest.raises(ValidationError, match="anchorOf differs from the text"):
        validate(compiled, shapes=False)


def test_shapes_catch_a_claim_without_claimant(tmp_path: Path) -> None:
    config, compiled = _fixture(tmp_path)
    graph = compiled.sink.graphs[f"{config.base_iri}graph/claims/mini-test"]
    claim = ox.NamedNode(f"{config.base_iri}claim/mini-test/c-border")
    for t in [
        t for t in graph if t[0] == claim and t[1].value.endswith(("claimant", "wasAttributedTo"))
    ]:
        del graph[t]
    validate(compiled, shapes=False)  # the structure is fine: only the shapes know the rule
    with pytest.raises(ValidationError, match="SHACL"):
        validate(compiled, shapes=True)


def test_shapes_catch_spans_whose_offsets_differ_from_their_anchors(tmp_path: Path) -> None:
    """The shapes' SPARQL constraint, which pySHACL runs once per span (kg.ingest.validate
    prepares its text once): every span whose nif:beginIndex is off is reported."""
    config, compiled = _fixture(tmp_path)
    graph = compiled.sink.graphs[f"{config.base_iri}graph/article/mini-test"]
    anchored = {t[0] for t in graph if t[1].value == NIF + "anchorOf"}
    begins = sorted(
        (t for t in graph if t[1].value == NIF + "beginIndex" and t[0] in anchored), key=str
    )
    assert len(begins) >= 3
    for s, p, o in begins[:2]:
        del graph[(s, p, o)]
        graph[(s, p, ox.Literal(str(int(o.value) + 1), datatype=o.datatype))] = None
    validate(compiled, shapes=False)  # the structure checks the IRI's offsets, not these
    with pytest.raises(ValidationError, match="anchorOf differs from the context text") as err:
        validate(compiled, shapes=True)
    reported = {s.value for s, _, _ in begins if s.value in err.value.message}
    assert reported == {s.value for s, _, _ in begins[:2]}


def test_a_denial_must_share_the_proposition(tmp_path: Path) -> None:
    src = mini_source(tmp_path)
    rel = "data/articles/mini-test/claims.yaml"
    text = (src / rel).read_text(encoding="utf-8")
    at = text.index("proposition: p-watch", text.index("act: Denial"))
    (src / rel).write_text(text[:at] + "proposition: p-border" + text[at + 20 :], encoding="utf-8")
    with pytest.raises(DataError, match="a denial must point at the proposition"):
        compile_sources(Config.load({"source_dir": str(src)}, environ={}))


def test_an_unknown_article_is_an_error(tmp_path: Path) -> None:
    config = Config.load({"source_dir": str(mini_source(tmp_path))}, environ={})
    with pytest.raises(DataError, match="no such article"):
        compile_sources(config, articles=["nope"])


def test_a_turtle_file_read_again_is_parsed_again_once_it_changed(tmp_path: Path) -> None:
    """read_turtle remembers parsed files (a streamed build reads the ontology per chunk) but
    never serves an edited file's old triples."""
    from kg.ingest.vocab import read_turtle

    ttl = tmp_path / "extra.ttl"
    ttl.write_text("<http://e/a> <http://e/p> 1 .\n", encoding="utf-8")
    first = read_turtle(ttl, "extra.ttl", "http://e/g", "http://e/genid/")
    assert [q.subject.value for q in first] == ["http://e/a"]
    first.clear()  # a caller changing its list does not change what is remembered
    assert len(read_turtle(ttl, "extra.ttl", "http://e/g", "http://e/genid/")) == 1
    ttl.write_text("<http://e/b> <http://e/p> 1 .\n<http://e/c> <http://e/p> 2 .\n")
    again = read_turtle(ttl, "extra.ttl", "http://e/g", "http://e/genid/")
    assert sorted(q.subject.value for q in again) == ["http://e/b", "http://e/c"]
