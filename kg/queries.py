"""The named-query catalogue: `queries/*.rq` files with a `#+` YAML header, run with parameters.

A query file is valid SPARQL as is; its header is comment lines starting with `#+`, read as YAML:

    #+ title: Who claims what about an entity
    #+ description: ...
    #+ params:
    #+   - {name: entity, type: entity, default: belarus, description: the entity}

A parameter is a SPARQL variable of the same name (`?entity`) that the query projects. Values are
converted to RDF terms and given to the engine as `substitutions`: never spliced into the text.
A parameter without a `default` key is required; `default: null` leaves the variable unbound (the
query then tests it with COALESCE, since BOUND() does not see substitutions). An empty value counts
as not given.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from kg import formats, table
from kg.config import Config
from kg.errors import DataError, NotFound, QueryError
from kg.namespaces import PREFIXES, XSD

PARAM_TYPES = ("iri", "entity", "string", "date", "integer")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PREFIX_DECL = re.compile(
    r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE
)
_PREFIXED = re.compile(r"^([A-Za-z][\w.-]*)?:([^\s<>\"{}|^`\\]*)$")
_UNSET = object()


@dataclass(frozen=True)
class Param:
    """One parameter of a named query: a variable, its type, default and meaning."""

    name: str
    type: str
    description: str = ""
    default: str | None = None
    required: bool = False


@dataclass(frozen=True)
class NamedQuery:
    """One `.rq` file: its name (file stem), header and SPARQL text."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path

    def param(self, name: str) -> Param:
        """The parameter of that name."""
        for param in self.params:
            if param.name == name:
                return param
        raise QueryError(f"query {self.name!r} has no parameter {name!r}")

    @property
    def prefixes(self) -> dict[str, str]:
        """The PREFIX declarations of the query text."""
        return {(m.group(1) or ""): m.group(2) for m in _PREFIX_DECL.finditer(self.text)}


def _header(text: str) -> str:
    """The YAML of the `#+` lines before the query proper."""
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#+"):
            body = stripped[2:]
            lines.append(body[1:] if body.startswith(" ") else body)
        elif stripped and not stripped.startswith("#"):
            break
    return "\n".join(lines)


def _param(raw: Any, where: str) -> Param:
    if not isinstance(raw, Mapping):
        raise DataError(f"a parameter must be a mapping, got {raw!r}", where)
    unknown = set(raw) - {"name", "type", "default", "description"}
    if unknown:
        raise DataError(f"unknown parameter keys {sorted(unknown)}", where)
    name, kind = raw.get("name"), raw.get("type")
    if not isinstance(name, str) or not _VAR.match(name):
        raise DataError(f"bad parameter name {name!r}", where)
    if kind not in PARAM_TYPES:
        raise DataError(f"parameter {name!r}: type must be one of {', '.join(PARAM_TYPES)}", where)
    default = raw.get("default", _UNSET)
    return Param(
        name=name,
        type=kind,
        description=str(raw.get("description") or ""),
        default=None if default is _UNSET or default is None else str(default),
        required=default is _UNSET,
    )


def parse(path: Path) -> NamedQuery:
    """Read one `.rq` file; a bad header is a DataError naming the file."""
    return parse_text(path.read_text(encoding="utf-8"), path)


def parse_text(text: str, path: Path) -> NamedQuery:
    """A named query from its text; `path` names it (its stem) and its errors."""
    where = str(path)
    header = _header(text)
    try:
        meta = yaml.safe_load(header) if header.strip() else {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise DataError(f"bad #+ header: {err}", where, mark.line + 1 if mark else None) from err
    if not isinstance(meta, dict):
        raise DataError("the #+ header must be a YAML mapping", where)
    unknown = set(meta) - {"title", "description", "params", "tags"}
    if unknown:
        raise DataError(f"unknown header keys {sorted(unknown)}", where)
    title, description = meta.get("title"), meta.get("description")
    if not isinstance(title, str) or not title.strip():
        raise DataError("the #+ header needs a title", where)
    if not isinstance(description, str) or not description.strip():
        raise DataError("the #+ header needs a description", where)
    raw_params = meta.get("params") or []
    if not isinstance(raw_params, list):
        raise DataError("params must be a list", where)
    params = tuple(_param(p, where) for p in raw_params)
    if len({p.name for p in params}) != len(params):
        raise DataError("a parameter is declared twice", where)
    return NamedQuery(
        name=path.stem,
        title=title.strip(),
        description=" ".join(description.split()),
        params=params,
        text=text,
        path=path,
    )


@dataclass(frozen=True)
class Catalogue:
    """The named queries of a directory, by name."""

    queries: dict[str, NamedQuery]

    @classmethod
    def load(cls, directory: str | Path) -> Catalogue:
        """Read every `*.rq` file of the directory."""
        directory = Path(directory)
        if not directory.is_dir():
            raise NotFound(f"no query directory at {directory}")
        found = {}
        for path in sorted(directory.glob("*.rq")):
            if not _NAME.match(path.stem):
                raise DataError("query file names are lower-case words joined by '-'", str(path))
            found[path.stem] = parse(path)
        return cls(found)

    def __iter__(self) -> Iterator[NamedQuery]:
        return iter(self.queries[name] for name in sorted(self.queries))

    def __len__(self) -> int:
        return len(self.queries)

    def names(self) -> list[str]:
        """The query names, sorted."""
        return sorted(self.queries)

    def get(self, name: str) -> NamedQuery:
        """The query of that name, or NotFound."""
        try:
            return self.queries[name]
        except KeyError:
            from kg.ingest.problems import suggest

            hint = suggest(name, self.queries)
            raise NotFound(
                f"no named query {name!r}{hint} (see `kg query --list`; a file: ./{name}.rq, "
                "standard input: -)"
            ) from None


ADHOC_SUFFIXES = (".rq", ".sparql", ".txt")


def is_adhoc(ref: str) -> bool:
    """Whether `kg query REF` names a file or standard input ('-') rather than a named query."""
    return ref == "-" or "/" in ref or ref.endswith(ADHOC_SUFFIXES) or Path(ref).is_file()


def adhoc(ref: str, stdin: Any = None) -> NamedQuery:
    """A query read from a file or, for '-', standard input; a `#+` header gives it parameters."""
    if ref == "-":
        text, path = (stdin.read() if stdin is not None else ""), Path("-")
    else:
        path = Path(ref)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise NotFound(f"cannot read the query file {ref}: {err.strerror}") from None
        except UnicodeDecodeError as err:
            raise QueryError(f"{ref}: not UTF-8: {err.reason}") from None
    if not text.strip():
        raise QueryError(f"no query in {'standard input' if ref == '-' else ref}")
    if _header(text).strip():
        return parse_text(text, path)
    name = "stdin" if ref == "-" else path.stem
    return NamedQuery(name, "ad hoc query", "", (), text, path)


def catalogue(config: Config) -> Catalogue:
    """The catalogue of the project's own `queries/`, else the shipped one (kg.sources)."""
    from kg.sources import queries_dir

    return Catalogue.load(queries_dir(config.sources))


def _iri(value: str, query: NamedQuery, param: Param, config: Config) -> ox.NamedNode:
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    elif "://" not in text and not text.startswith("urn:"):
        match = _PREFIXED.match(text)
        known = {**PREFIXES, **query.prefixes}
        if match and (match.group(1) or "") in known:
            text = known[match.group(1) or ""] + match.group(2)
        elif param.type == "entity":
            text = config.base_iri + "entity/" + text
        else:
            # A relative IRI, e.g. claim/{aid}/{cid}, is read against the data base IRI.
            text = config.base_iri + text.lstrip("/")
    try:
        return ox.NamedNode(text)
    except ValueError as err:
        raise QueryError(f"parameter {param.name!r}: not an IRI: {value!r} ({err})") from err


def term(query: NamedQuery, param: Param, value: str, config: Config) -> Any:
    """The RDF term a parameter value stands for, by the parameter's type."""
    if param.type in ("iri", "entity"):
        return _iri(value, query, param, config)
    if param.type == "date":
        try:
            day = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise QueryError(
                f"parameter {param.name!r}: not a date (YYYY-MM-DD): {value!r}"
            ) from None
        return ox.Literal(day.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    if param.type == "integer":
        try:
            number = int(value.strip())
        except ValueError:
            raise QueryError(f"parameter {param.name!r}: not an integer: {value!r}") from None
        return ox.Literal(str(number), datatype=ox.NamedNode(XSD + "integer"))
    return ox.Literal(value)


def bind(query: NamedQuery, params: Mapping[str, str], config: Config) -> dict[str, Any]:
    """The substitutions for a run: given values, else defaults; unknown or missing is an error."""
    declared = {p.name for p in query.params}
    unknown = sorted(set(params) - declared)
    if unknown:
        allowed = ", ".join(sorted(declared)) or "none"
        raise QueryError(
            f"query {query.name!r} has no parameter {', '.join(map(repr, unknown))} "
            f"(its parameters: {allowed})"
        )
    bound: dict[str, Any] = {}
    for param in query.params:
        value = params.get(param.name)
        if value is None or not value.strip():  # an empty form field is a value not given
            if param.required:
                raise QueryError(
                    f"query {query.name!r} needs parameter {param.name!r} ({param.type}): "
                    f"--param {param.name}=..."
                )
            value = param.default
        if value is not None:
            bound[param.name] = term(query, param, value, config)
    return bound


def bound_text(query: NamedQuery, params: Mapping[str, str], config: Config) -> str:
    """The query text with its parameters (given, else defaults) in a VALUES block: for editors."""
    from kg.bindings import bind_values

    bound = bind(query, params, config)
    return bind_values(query.text, bound) if bound else query.text


def run(store: Any, query: NamedQuery, params: Mapping[str, str], config: Config) -> Any:
    """Run a named query on a store (kg.store.Store) with its parameters bound, after the checks
    every query gets (kg.guard: nesting, chains, the SERVICE allowlist)."""
    from kg.guard import Limits, check_query

    check_query(query.text, Limits.of(config))
    substitutions = bind(query, params, config)
    try:
        return store.query(
            query.text, union=config.union_default_graph, substitutions=substitutions
        )
    except RuntimeError as err:
        # The engine refuses a substitution for a variable the query does not project.
        raise QueryError(f"query {query.name!r}: {err}") from err


FORMATS = ("table", *(f.name for f in formats.RESULTS))
GRAPH_FORMATS = tuple(f.name for f in formats.GRAPH)


def render(results: Any, fmt: str, query: NamedQuery, config: Config) -> bytes:
    """Results of a run in a format of FORMATS or, for CONSTRUCT and DESCRIBE, GRAPH_FORMATS
    (graph results asked for as a table are Turtle; as csv/tsv N-Triples; json is JSON-LD)."""
    graph = isinstance(results, ox.QueryTriples)
    if fmt not in FORMATS + GRAPH_FORMATS and formats.by_name(fmt, formats.GRAPH) is None:
        raise QueryError(f"unknown format {fmt!r}: one of {', '.join(FORMATS + GRAPH_FORMATS)}")
    if not graph and fmt not in FORMATS:
        raise QueryError(
            f"format {fmt!r} is for the graphs of CONSTRUCT and DESCRIBE; SELECT and ASK take "
            f"{', '.join(FORMATS)}"
        )
    output = io.BytesIO()
    if graph:
        name = {"table": "turtle", "csv": "nt", "tsv": "nt"}.get(fmt, fmt)
        formats.write_results(results, output, formats.by_name(name, formats.GRAPH))
    elif fmt == "table":
        prefixes = {**query.prefixes, **PREFIXES}
        prefixes.pop("", None)
        output.write(table.render(results, prefixes, config.base_iri).encode())
    else:
        formats.write_results(results, output, formats.by_name(fmt, formats.RESULTS))
    return output.getvalue()
