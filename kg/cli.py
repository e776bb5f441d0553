"""The `kg` command: a thin layer over the library (build, query, check, export, serve, ...)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from kg import __version__
from kg.config import SETTINGS, Config
from kg.errors import KGError


def with_settings(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command a flag for every setting; the command receives a `config` argument."""

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        overrides = {s.name: kwargs.pop(s.name, None) for s in SETTINGS}
        config = None
        try:
            config = Config.load(overrides)
            return command(config=config, **kwargs)
        except KGError as err:
            _report(err, config)
            sys.exit(err.exit_code)

    for setting in reversed(SETTINGS):
        default = setting.default if setting.name != "token" else "(none)"
        help_text = f"{setting.help} [env {setting.env}; default {default!r}]"
        if setting.type is bool:
            wrapper = click.option(
                setting.flag + "/--no-" + setting.flag[2:],
                setting.name,
                default=None,
                help=help_text,
            )(wrapper)
        else:
            wrapper = click.option(
                setting.flag, setting.name, type=setting.type, default=None, help=help_text
            )(wrapper)
    return wrapper


def _report(err: KGError, config: Config | None) -> None:
    """An error as the user reads it: every bad place of the input on its own line, then where."""
    from kg.errors import DataError, DataErrors

    if isinstance(err, DataErrors):
        for line in err.message.splitlines():
            click.echo(line, err=True)
        click.echo(f"error: {len(err.errors)} problems; nothing was written", err=True)
    else:
        click.echo(f"error: {err.message}", err=True)
    if isinstance(err, DataError) and config is not None:
        from kg.sources import describe

        click.echo(f"(sources: {describe(config.sources)})", err=True)


def say_sources(config: Config, *, always: bool = True) -> None:
    """Say which project folder (and packaged ontology or queries) a command uses, on stderr.

    Commands whose standard output is data (query, export, check) say it on a terminal only.
    """
    from kg.sources import describe

    if always or sys.stderr.isatty():
        click.echo(f"kg: {describe(config.sources)}", err=True)


@click.group()
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """geoclaims: geopolitical claims from news as a knowledge graph, served over SPARQL."""


@main.command()
@click.argument("name", required=False)
@click.option(
    "--param", "-p", "params", multiple=True, metavar="K=V", help="a parameter value (repeatable)"
)
@click.option(
    "--format",
    "-f",
    "fmt",
    default="table",
    show_default=True,
    type=click.Choice(
        ["table", "json", "csv", "tsv", "xml", "turtle", "nt", "rdfxml", "jsonld", "trig", "nq"]
    ),  # fmt: skip
    help="output format (turtle ... nq: the graph of a CONSTRUCT or DESCRIBE)",
)
@click.option("--list", "list_", is_flag=True, help="list the named queries and their titles")
@with_settings
def query(config: Config, name: str | None, params: tuple[str, ...], fmt: str, list_: bool) -> None:
    """Run the named query NAME (queries/NAME.rq) with --param k=v values, or a query of your
    own: a file (NAME.rq, path/to/query) or standard input (-)."""
    from pathlib import Path

    from kg import queries
    from kg.errors import NotFound, QueryError, StoreError
    from kg.lock import reader

    cat = queries.catalogue(config)
    if list_ or name is None:
        for q in cat:
            args = " ".join(f"{p.name}={p.type}" for p in q.params)
            click.echo(f"{q.name:32} {q.title}" + (f"  [{args}]" if args else ""))
        return
    values: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param wants NAME=VALUE, got {item!r}")
        values[key.strip()] = value
    named = queries.adhoc(name, sys.stdin) if queries.is_adhoc(name) else cat.get(name)
    say_sources(config, always=False)
    queries.bind(named, values, config)  # bad parameters fail before the store is opened
    if not (config.remote or config.in_memory or Path(config.data_dir).is_dir()):
        raise NotFound(f"no store at {config.data_dir}: run `kg build` first")
    # Read-only on disk, under the readers' lock: a `kg build` meanwhile waits for this read.
    with reader(config) as store:
        results = queries.run(store, named, values, config)
        try:
            text = queries.render(results, fmt, named, config)
        except (OSError, RuntimeError) as err:  # raised while the engine runs, e.g. by a SERVICE
            raise StoreError(f"{named.name}: the query failed while running: {err}") from None
        click.echo(text, nl=False)


@main.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="directory to write index.html (the ontology) and format.md (the file format) into",
)
@click.option(
    "--format-page",
    "format_page",
    type=click.Path(dir_okay=False),
    help="write only the format page, to this file (the repository's is docs/format.md)",
)
@with_settings
def docs(config: Config, out_dir: str | None, format_page: str | None) -> None:
    """Generate the ontology's documentation (HTML) and the format page (Markdown) from it."""
    from pathlib import Path

    from kg import formatdoc
    from kg.ontodoc import write_docs
    from kg.sources import ontology_dir

    if not out_dir and not format_page:
        raise click.UsageError("give --out DIR or --format-page FILE")
    say_sources(config)
    folder = ontology_dir(config.sources)
    if out_dir:
        click.echo(str(write_docs(folder, Path(out_dir))))
        click.echo(str(formatdoc.write(folder, Path(out_dir) / "format.md")))
    if format_page:
        click.echo(str(formatdoc.write(folder, Path(format_page))))


@main.command()
@with_settings
def serve(config: Config) -> None:
    """Serve the SPARQL endpoint and the site (kg.server); builds the seed graph first if needed."""
    from kg.serve import serve as run_server

    say_sources(config)
    click.echo(f"kg serve: http://{config.host}:{config.port}/ (SPARQL at /sparql)", err=True)
    run_server(config)


@main.command()
@click.option(
    "--article", "articles", multiple=True, metavar="ID", help="rebuild only this article"
)
@click.option("--check/--no-check", default=True, help="run kg check's rules after loading")
@click.option("--shacl/--no-shacl", default=True, help="validate against ontology/shapes.ttl")
@with_settings
def build(config: Config, articles: tuple[str, ...], check: bool, shacl: bool) -> None:
    """Compile and validate every source, then write the store all at once (or not at all)."""
    from kg.build import build as run_build

    say_sources(config)
    report = run_build(config, articles=list(articles) or None, check=check, shapes=shacl)
    click.echo(report.summary())
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)


@main.command()
@click.option("--shacl/--no-shacl", default=True, help="validate against ontology/shapes.ttl")
@with_settings
def validate(config: Config, shacl: bool) -> None:
    """Compile and validate every source without writing anything."""
    from kg.build import compile_checked
    from kg.sources import describe

    compiled = compile_checked(config, shapes=shacl)
    click.echo(f"checked {describe(config.sources)}")
    articles = len(compiled.articles)
    click.echo(f"ok: {articles} articles, {len(compiled.sink)} quads in "
               f"{len(compiled.sink.graphs)} graphs")  # fmt: skip


@main.command()
@click.option("--format", "fmt", type=click.Choice(["trig", "nquads", "turtle", "ntriples"]),
              default="nquads", show_default=True,
              help="format (the dataset view: trig or nquads)")  # fmt: skip
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="file to write ('-' for standard output)")  # fmt: skip
@click.option("--view", type=click.Choice(["dataset", "wikidata"]), default="dataset",
              show_default=True,
              help="dataset: every named graph; wikidata: facts, identifiers and claims in "
                   "Wikidata's statement model (p:/ps:/pq:, ranks, references)")  # fmt: skip
@with_settings
def export(config: Config, fmt: str, out: str, view: str) -> None:
    """Write the whole dataset (every named graph), or its Wikidata view, to a file."""
    from kg.build import export as run_export

    say_sources(config, always=False)

    def write(output: Any) -> None:
        if view == "wikidata":  # issue 14
            from kg.wikidata import export as wikidata_export

            count = wikidata_export(config, fmt, output)
            click.echo(f"kg export: {count} triples in the Wikidata view", err=True)
        else:
            run_export(config, fmt, output)

    if out == "-":
        write(sys.stdout.buffer)
        return
    with open(out, "wb") as output:
        write(output)


@main.command()
@click.option("--width", default=160, show_default=True, help="width of the printed table")
@click.option(
    "--table-limit",
    default=5000,
    show_default=True,
    help="print the table of verdicts up to this many claims; above, the counts only "
    "(the verdicts are in the store: `kg query contradicted-claims`)",
)
@with_settings
def check(config: Config, width: int, table_limit: int) -> None:
    """Check every claim against the reference facts; store and print the verdicts."""
    from kg import search
    from kg.check import check_run, format_table
    from kg.lock import reader
    from kg.progress import interactive

    say_sources(config, always=False)
    run = check_run(config, keep=table_limit)
    if interactive():  # on a terminal, where the bar was: how long it took
        rate = f" ({run.claims / run.seconds:,.0f} claims/s)" if run.seconds > 0 else ""
        click.echo(
            f"kg check: {run.claims} claims of {run.articles} articles judged in "
            f"{run.seconds:.1f} s{rate}, {run.quads} review quads written",
            err=True,
        )
    if run.complete:
        click.echo(format_table(run.verdicts, width=width))
    else:
        click.echo(
            f"(more than {table_limit} claims: the table is left out; "
            "`kg query contradicted-claims` lists the contradicted ones)",
            err=True,
        )
        click.echo(run.summary())
    # The verdict facet of the claims table follows (only it, when the index was current).
    search.refresh(config, verdicts=run.versions)
    with reader(config) as store:
        facts = store.query("ASK { GRAPH ?g { ?g a <https://w3id.org/geoclaims/ontology/"
                            "ReferenceGraph> } }", union=False)  # fmt: skip
    if not bool(facts):
        click.echo("warning: the store holds no reference facts, so no claim can be checked: "
                   "build them with `kg build` (or `kg build --article ID`)", err=True)  # fmt: skip


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--examples", is_flag=True, help="also copy the example articles and their entities")
@click.option("--empty", is_flag=True, help="no article: only the entities and reference facts")
def init(directory: str, examples: bool, empty: bool) -> None:
    """Make DIRECTORY a project folder for your own articles, entities and reference facts."""
    from pathlib import Path

    from kg.sources import init_project

    target = Path(directory).resolve()
    try:
        made = init_project(target, examples=examples, empty=empty)
    except KGError as err:
        click.echo(f"error: {err.message}", err=True)
        sys.exit(err.exit_code)
    click.echo(f"made project folder {target}:")
    for path in made:
        click.echo(f"  {path.relative_to(target)}")
    click.echo(
        f"next: cd {directory} && kg validate && kg serve   "
        "(or, from anywhere, --source-dir / KG_SOURCE_DIR)"
    )


# --- kg draft (issue 12) -----------------------------------------------------------------------
@main.command()
@click.argument("text", required=False, type=click.Path(allow_dash=True))
@click.option(
    "--batch",
    "batch_dir",
    type=click.Path(file_okay=False, exists=True),
    help="draft every *.txt of this directory (metadata from NAME.yaml or NAME.json)",
)
@click.option(
    "--evaluate",
    is_flag=True,
    help="score drafts against curated articles (FOLDER arguments, default: the seed "
    "and tests/data/draft/*) and print the table",
)
@click.option("--id", "aid", help="the article's id (default: the text file's name)")
@click.option("--headline", help="the headline, as it stands in the text (default: first line)")
@click.option("--publisher", help="the publisher's name")
@click.option("--url", help="the article's URL")
@click.option("--date", "date", help="publication date YYYY-MM-DD (relative times resolve to it)")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="where article folders go (default: SOURCE_DIR/data/articles)",
)
@click.option("--force", is_flag=True, help="replace an existing article folder")
@click.option(
    "--entities",
    "extra",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True),
    help="--evaluate: entities appended to data/entities.yaml (repeatable)",
)
@click.argument("folders", nargs=-1, type=click.Path(file_okay=False))
@with_settings
def draft(config: Config, text: str | None, batch_dir: str | None, evaluate: bool,
          aid: str | None, headline: str | None, publisher: str | None, url: str | None,
          date: str | None, out_dir: str | None, force: bool, extra: tuple[str, ...],
          folders: tuple[str, ...]) -> None:  # fmt: skip
    """Draft an article folder (article.txt, article.yaml, claims.yaml) from a plain text."""
    from pathlib import Path

    from kg.draft import commands

    out = Path(out_dir) if out_dir else config.source / "data" / "articles"
    if evaluate:
        given = [Path(f) for f in (text, *folders) if f]
        click.echo(commands.evaluate(config, given, [Path(e) for e in extra]))
        return
    if batch_dir is not None:
        summary, failures = commands.batch(config, Path(batch_dir), out, force=force)
        for name, message in failures:
            click.echo(f"failed: {name}: {message}", err=True)
        click.echo(summary)
        if failures:
            sys.exit(3)
        return
    if text is None:
        raise click.UsageError("give a TEXT file (- for standard input), --batch DIR or --evaluate")
    values = {"headline": headline, "publisher": publisher, "url": url, "date": date}
    click.echo(commands.single(config, text, aid, values, out, force=force))


# --- kg import (issue 15) ----------------------------------------------------------------------
def _import_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The filters and --skip-bad every `kg import` source takes."""
    options = [
        click.option("--from", "first", metavar="YYYY-MM-DD", help="keep events on or after"),
        click.option("--to", "last", metavar="YYYY-MM-DD", help="keep events on or before"),
        click.option("--country", "countries", multiple=True, metavar="CODE",
                     help="keep events with an actor of this country (CAMEO / ISO alpha-3 code, "
                          "e.g. BLR; repeatable)"),
        click.option("--root", "roots", multiple=True, metavar="CODE",
                     help="keep events of this CAMEO root code (GDELT, e.g. 15) or PLOVER type "
                          "(POLECAT, e.g. MOBILIZE); repeatable"),
        click.option("--skip-bad", is_flag=True,
                     help="skip malformed rows (each reported with file and line, counted) "
                          "instead of rejecting the file whole"),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def _filters(first: str | None, last: str | None, countries: tuple[str, ...],
             roots: tuple[str, ...]):  # fmt: skip
    from kg.events.rows import Filters, RowError, day

    try:
        bounds = [day(d, f"--{n}") if d else "" for d, n in ((first, "from"), (last, "to"))]
    except RowError as err:
        raise click.BadParameter(str(err)) from None
    return Filters(
        bounds[0],
        bounds[1],
        frozenset(c.strip().upper() for c in countries),
        frozenset(r.strip().upper() for r in roots),
    )


def _run_import(config: Config, files: list[tuple[str, str]], filters: Any, skip_bad: bool) -> None:
    """Import each (kind, path) into its own graph, one atomic load each; a line per file."""
    from kg.events.importer import import_file, refresh_search
    from kg.lock import writer

    say_sources(config)
    reports = []
    with writer(config) as store:
        for kind, path in files:
            report = import_file(config, store, kind, path, filters, skip_bad=skip_bad)
            for error in report.errors:
                click.echo(f"skipped: {error.message}", err=True)
            if report.bad > len(report.errors):
                click.echo(f"skipped: ... and {report.bad - len(report.errors)} more", err=True)
            click.echo(report.summary())
            reports.append(report)
    refresh_search(config)


@main.group("import")
def import_() -> None:
    """Import event data (GDELT 2.0, POLECAT) into graphs of their own, one per file."""


@import_.command("gdelt")
@click.argument("events", type=click.Path(dir_okay=False))
@click.option("--mentions", type=click.Path(dir_okay=False),
              help="a GDELT 2.0 mentions file (16 columns) to import too, into its own "
                   "graph")  # fmt: skip
@_import_options
@with_settings
def import_gdelt(config: Config, events: str, mentions: str | None, first: str | None,
                 last: str | None, countries: tuple[str, ...], roots: tuple[str, ...],
                 skip_bad: bool) -> None:  # fmt: skip
    """Import a GDELT 2.0 events export (61 columns, tab-separated, no header; .zip or plain)."""
    files = [("gdelt-events", events)] + ([("gdelt-mentions", mentions)] if mentions else [])
    _run_import(config, files, _filters(first, last, countries, roots), skip_bad)


@import_.command("polecat")
@click.argument("file", type=click.Path(dir_okay=False))
@_import_options
@with_settings
def import_polecat(config: Config, file: str, first: str | None, last: str | None,
                   countries: tuple[str, ...], roots: tuple[str, ...],
                   skip_bad: bool) -> None:  # fmt: skip
    """Import a POLECAT file (tab-separated, header line; .zip, .gz or plain)."""
    _run_import(config, [("polecat", file)], _filters(first, last, countries, roots), skip_bad)
