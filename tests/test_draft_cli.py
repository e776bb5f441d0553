"""`kg draft` end to end: drafted folders pass `kg validate`, load marked as drafted, bad input
writes nothing, a batch goes on past bad files, and the evaluation meets the issue's targets."""

from __future__ import annotations

import gc
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import index_contents as contents

from kg import search
from kg.build import build
from kg.cli import main
from kg.config import Config
from kg.namespaces import GC, concept
from kg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
DRAFT_DATA = Path(__file__).parent / "data" / "draft"
SEED = ROOT / "data" / "articles" / "belarus-protests-2020"
TEXTS = {  # folder -> publication date
    SEED: "2020-08-17",
    DRAFT_DATA / "wire-varnia-border": "2024-05-15",
    DRAFT_DATA / "analysis-dresk-valley": "2024-06-03",
    DRAFT_DATA / "heldout-summit": "2024-07-12",
    DRAFT_DATA / "heldout-bulletin": "2024-09-02",
}


def source_copy(target: Path) -> Path:
    """ontology/ and data/ of the checkout, with the test articles' entities appended."""
    shutil.copytree(ROOT / "ontology", target / "ontology")
    shutil.copytree(ROOT / "data", target / "data")
    with (target / "data" / "entities.yaml").open("a", encoding="utf-8") as out:
        out.write("\n" + (DRAFT_DATA / "entities.yaml").read_text(encoding="utf-8"))
    return target


def kg(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A source directory holding the seed's and the test articles' texts drafted by kg draft."""
    src = source_copy(tmp_path_factory.mktemp("drafted") / "src")
    for folder, date in TEXTS.items():
        aid = f"drafted-{folder.name}"
        result = kg(
            "draft",
            str(folder / "article.txt"),
            "--id",
            aid,
            "--date",
            date,
            "--source-dir",
            str(src),
        )
        assert result.exit_code == 0, result.output
        assert re.match(rf"drafted {aid}: \d+ claims", result.output)
    return src


def test_drafted_articles_pass_kg_validate(drafted: Path) -> None:
    result = kg("validate", "--source-dir", str(drafted))
    assert result.exit_code == 0, result.output
    assert re.search(r"^ok: 6 articles, \d+ quads", result.output, re.M), result.output


def test_drafted_text_is_stored_byte_for_byte(drafted: Path) -> None:
    for folder in TEXTS:
        copy = drafted / "data" / "articles" / f"drafted-{folder.name}" / "article.txt"
        assert copy.read_bytes() == (folder / "article.txt").read_bytes()


def test_drafted_claims_are_told_apart_in_the_graph(drafted: Path, tmp_path: Path) -> None:
    config = Config.load(
        {"data_dir": str(tmp_path / "store"), "source_dir": str(drafted)}, environ={}
    )
    build(config, check=False, shapes=False)
    store = EmbeddedStore(tmp_path / "store", read_only=True)
    drafted_iri = concept("reviewStatus", "drafted")
    rows = store.query(f"""SELECT ?article (COUNT(?c) AS ?n) (COUNT(?s) AS ?marked) WHERE {{
        GRAPH ?g {{ ?c a <{GC}Claim> ; <{GC}appearsIn> ?article
                    OPTIONAL {{ ?c <{GC}reviewStatus> ?s FILTER(?s = <{drafted_iri}>) }} }}
    }} GROUP BY ?article""")
    counts = {
        r["article"].value.rsplit("/", 1)[-1]: (int(r["n"].value), int(r["marked"].value))
        for r in rows
    }
    activities = store.query(f"""SELECT ?a WHERE {{ GRAPH ?g {{
        ?a a <http://www.w3.org/ns/prov#Activity> ; <{GC}reviewStatus> <{drafted_iri}> }} }}""")
    marked_loads = {r["a"].value.split("/article/")[1].split("/")[0] for r in activities}
    del store
    gc.collect()
    for folder in TEXTS:
        n, marked = counts[f"drafted-{folder.name}"]
        assert n > 10 and marked == n  # every drafted claim says so
    assert counts["belarus-protests-2020"] == (51, 0)  # the curated seed does not
    assert marked_loads == {f"drafted-{folder.name}" for folder in TEXTS}


def test_an_existing_folder_is_left_untouched_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "articles"
    folder = out / "mine"
    folder.mkdir(parents=True)
    (folder / "article.yaml").write_text("id: mine\n", encoding="utf-8")  # reviewed: no status
    (folder / "claims.yaml").write_text("claims: []\n", encoding="utf-8")
    text = tmp_path / "mine.txt"
    text.write_text("Talks fail\n\nThe talks failed, officials said.\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = kg("draft", str(text), "--out", str(out))
    assert result.exit_code == 3
    assert "holds a reviewed article: left untouched (--force replaces it)" in result.output
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    result = kg("draft", str(text), "--out", str(out), "--force", "--date", "2024-01-02")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == [
        "article.txt",
        "article.yaml",
        "claims.yaml",
    ]
    assert "reviewStatus: drafted" in (folder / "article.yaml").read_text(encoding="utf-8")
    assert [p.name for p in out.iterdir()] == ["mine"]  # no temporary folder left behind


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Caf\xe9 news\n\nIt rained.\n", "not UTF-8 (byte 3"),
        (b"", "the text is empty"),
        (b"  \n\n", "the text is empty"),
        ("— • —\n".encode(), "no sentence"),
    ],
    ids=["not-utf8", "empty", "blank", "no-sentence"],
)
def test_bad_text_is_refused_and_writes_nothing(tmp_path: Path, data: bytes, message: str) -> None:
    text = tmp_path / "bad.txt"
    text.write_bytes(data)
    out = tmp_path / "articles"
    result = kg("draft", str(text), "--out", str(out))
    assert result.exit_code == 3
    assert message in result.output
    assert not out.exists() or not any(out.iterdir())


def test_a_batch_goes_on_past_bad_files_and_reports_them(tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a-good.txt").write_text("Talks fail\n\nThe talks failed, officials said.\n")
    (texts / "b-latin1.txt").write_bytes(b"Caf\xe9\n\nIt rained.\n")
    (texts / "c-empty.txt").write_bytes(b"")
    (texts / "d-good.txt").write_text("Rain in Minsk\n\nIt rained in Minsk on Sunday.\n")
    (texts / "d-good.yaml").write_text("date: 2020-08-17\npublisher: Example Wire\n")
    out = tmp_path / "articles"
    result = CliRunner().invoke(main, ["draft", "--batch", str(texts), "--out", str(out)])
    assert result.exit_code == 3
    assert re.fullmatch(
        r"drafted 2 of 4 articles \(\d+ claims\) into .* in [\d.]+ s \(\d+ articles/s\); "
        r"2 failed\n",
        result.stdout,
    ), result.stdout
    failed = sorted(line.split(":")[1].strip() for line in result.stderr.splitlines())
    assert failed == [str(texts / "b-latin1.txt"), str(texts / "c-empty.txt")]
    assert "\r" not in result.stderr  # not a terminal: no progress bar
    assert sorted(p.name for p in out.iterdir()) == ["a-good", "d-good"]
    meta = (out / "d-good" / "article.yaml").read_text(encoding="utf-8")
    assert "datePublished: 2020-08-17" in meta and "publisher: publisher" in meta
    claims = (out / "d-good" / "claims.yaml").read_text(encoding="utf-8")
    assert 'label: "Example Wire"' in claims
    assert '{"on Sunday": 2020-08-16}' in claims  # against the sidecar's date


TARGETS = {
    "recall": 0.85,
    "precision": 0.60,
    "claimant": 0.80,
    "attribution": 0.80,
    "polarity": 0.95,
    "time": 0.80,
}
# The targets hold on the seed, the two evaluation articles and all together; on the
# held-out and blind texts too, except time (3 to 5 expressions: one miss is 20-33 points) and
# precision, held to 0.75 there.
HELD_OUT = ("heldout-summit", "heldout-bulletin", "blind-interview")


def test_evaluation_meets_the_targets() -> None:
    result = kg("draft", "--evaluate", "--source-dir", str(ROOT))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    head = lines[0].split()
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert set(rows) == {
        "belarus-protests-2020",
        "wire-varnia-border",
        "analysis-dresk-valley",
        "heldout-summit",
        "heldout-bulletin",
        "blind-interview",
        "all",
    }
    for name, cells in rows.items():
        values = dict(zip(head, cells, strict=False))
        for key, target in TARGETS.items():
            if name in HELD_OUT and key == "time":
                continue
            if name in HELD_OUT and key == "precision":
                target = 0.75
            assert float(values[key].rstrip("%")) / 100 >= target, (name, key, values[key])


def quads_of(path: Path) -> set[str]:
    store = EmbeddedStore(path, read_only=True)
    out = {str(q) for q in store.oxigraph}
    del store
    gc.collect()
    return out


def _index_read(config: Config, path: Path) -> str:
    """The index of the configured on-disk store read from it (`search.build_index`), at `path`."""
    store = EmbeddedStore(Path(config.data_dir), read_only=True)
    try:
        search.build_index(store, str(path), config.base_iri, store.version)
    finally:
        del store
        gc.collect()
    return str(path)


def test_a_streamed_build_equals_the_in_memory_one(
    drafted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg import bulk
    from kg.errors import DataError

    src = tmp_path / "src"
    shutil.copytree(drafted, src)
    config = Config.load({"data_dir": str(tmp_path / "store"), "source_dir": str(src)}, environ={})
    build(config, check=False, shapes=False)
    in_memory = quads_of(tmp_path / "store")
    config = config.with_(stream_from=1)
    monkeypatch.setattr(bulk, "CHUNK", 2)

    def not_read(*_: object) -> None:
        raise AssertionError("the store was read for the search index")

    with monkeypatch.context() as m:
        m.setattr(search, "_collect", not_read)
        report = build(config, check=False, shapes=False)  # load times kept from the store
    assert quads_of(tmp_path / "store") == in_memory
    assert report.total == len(in_memory)
    assert len(report.articles) == len(TEXTS) + 1  # and the curated seed
    # The search index was made during the load, from the workers' rows, for this store
    # version; it is the one read from the store.
    index = search.index_path(config)
    assert report.index.startswith("search index:") and search.refresh(config) is None
    assert contents(index) == contents(_index_read(config, tmp_path / "read.sqlite"))
    # With the check (the default), that index gets the check's verdicts, updated without
    # reading the store again: the index a rebuild of the checked store gives.
    with monkeypatch.context() as m:
        m.setattr(search, "_collect", not_read)
        report = build(config, shapes=False)
    assert report.index.splitlines()[-1].startswith("search index: the verdicts of")
    assert search.refresh(config) is None
    checked = contents(index, ordered=False)
    assert {v for _, f, v in checked["claim_values"] if f == "verdict"} >= {"not-checkable"}
    assert checked == contents(_index_read(config, tmp_path / "checked.sqlite"), ordered=False)
    built = quads_of(tmp_path / "store")  # with the reviews
    # A bad article in a later chunk stops the build; the store stays as it was.
    bad = src / "data" / "articles" / "zz-broken"
    shutil.copytree(src / "data" / "articles" / "belarus-protests-2020", bad)
    meta = bad / "article.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("id: belarus-protests-2020", "id: zz-broken")
    )
    claims = bad / "claims.yaml"
    claims.write_text(
        claims.read_text(encoding="utf-8").replace('"Belarus protests"', '"Belarus protest!"')
    )
    with pytest.raises(DataError, match="zz-broken/claims.yaml.*quote not found"):
        build(config, check=False, shapes=False)
    assert quads_of(tmp_path / "store") == built


def test_standard_input_needs_an_id_and_drafts_like_a_file(tmp_path: Path) -> None:
    out = tmp_path / "articles"
    text = "Talks fail\n\nThe talks failed on Monday, officials said.\n"
    refused = CliRunner().invoke(main, ["draft", "-", "--out", str(out)], input=text)
    assert refused.exit_code == 3 and "--id is needed" in refused.output
    result = CliRunner().invoke(
        main, ["draft", "-", "--id", "piped", "--date", "2024-05-15", "--out", str(out)], input=text
    )
    assert result.exit_code == 0, result.output
    assert (out / "piped" / "article.txt").read_text(encoding="utf-8") == text
    claims = (out / "piped" / "claims.yaml").read_text(encoding="utf-8")
    assert "claimant: officials" in claims and '{"on Monday": 2024-05-13}' in claims
