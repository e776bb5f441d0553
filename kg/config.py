"""Every setting in one place: name, default, one-line help; read from `KG_*` once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kg.errors import ConfigError

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """One setting: its name, type, default and a line of help."""

    name: str
    type: type
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "KG_" + self.name.upper()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        str,
        "var/store",
        "directory of the embedded on-disk store; ':memory:' keeps it in memory",
    ),
    Setting(
        "store_url",
        str,
        "",
        "query URL of a remote SPARQL 1.1 store to use instead of the embedded one",
    ),
    Setting(
        "store_update_url",
        str,
        "",
        "update URL of the remote store (default: store_url with /query -> /update)",
    ),
    Setting(
        "store_gsp_url",
        str,
        "",
        "Graph Store Protocol URL of the remote store (default: store_url with /query -> /store)",
    ),
    Setting(
        "store_user",
        str,
        "",
        "user name for the remote store (HTTP Basic or Digest; Virtuoso's /sparql-auth needs it"
        " for updates)",
    ),
    Setting(
        "store_password",
        str,
        "",
        "password for store_user (prefer the environment, KG_STORE_PASSWORD, to a flag)",
    ),
    Setting(
        "load_journal_dir",
        str,
        "var/loads",
        "where `kg build` keeps the journal of a load into a remote store (to resume after a"
        " failure)",
    ),
    Setting(
        "store_stale_seconds",
        float,
        1.0,
        "remote store: seconds a front may reuse a cached answer; another client's write is seen"
        " after at most this long (0: no reuse)",
    ),
    Setting(
        "source_dir",
        str,
        "",
        "project folder holding data/ (articles, entities, reference facts) and optionally its own"
        " ontology/ and queries/ (several joined with ':'); empty: the current directory if it is"
        " a project folder, else the checkout, else the example shipped in the package",
    ),
    Setting(
        "base_iri", str, "https://w3id.org/geoclaims/", "base under which data IRIs are minted"
    ),
    Setting(
        "stream_from",
        int,
        200,
        "articles from which a full on-disk kg build streams (worker processes, bulk load, flat"
        " memory) instead of compiling everything in memory",
    ),
    Setting("host", str, "127.0.0.1", "address kg serve listens on"),
    Setting("port", int, 8000, "port kg serve listens on"),
    Setting("workers", int, 2, "server worker processes (granian workers)"),
    Setting(
        "threads",
        int,
        16,
        "requests each worker runs the app for at once (granian blocking threads; idle and slow"
        " connections need none)",
    ),
    Setting(
        "query_processes",
        int,
        1,
        "query processes each worker keeps (killable at the deadline); when all stay busy for"
        " 0.5 s it starts more, up to twice as many and at least 4",
    ),
    Setting(
        "inline_rows",
        int,
        10_000,
        "rows up to which a query that cannot run away (one triple pattern with a constant"
        " subject, a DESCRIBE of IRIs) is answered by the worker itself, without a query process"
        " (0: every query in a query process)",
    ),
    Setting(
        "header_timeout",
        float,
        10.0,
        "seconds a client has to send a request's headers, and an idle keep-alive connection"
        " stays open (at most 60)",
    ),
    Setting(
        "body_timeout",
        float,
        30.0,
        "seconds a client has to send a request body (then 408; 0: no deadline)",
    ),
    Setting(
        "drain",
        float,
        30.0,
        "seconds kg serve lets requests in flight finish when stopped (SIGTERM, Ctrl-C)",
    ),
    Setting(
        "query_timeout", float, 30.0, "seconds a query may run before it is stopped (0: no limit)"
    ),
    Setting(
        "query_max_depth",
        int,
        100,
        "most levels of { } ( ) [ ] << >> nesting in a query or update; deeper ones are refused"
        " before parsing (the parser's stack)",
    ),
    Setting(
        "query_max_chain",
        int,
        1000,
        "most operators, triple patterns and OPTIONAL/UNION/MINUS/BIND/FILTER... on any path of"
        " a query's tree, weighted by the stack each costs; longer chains are refused before"
        " parsing (the engine's stack)",
    ),
    Setting(
        "service_allowlist",
        str,
        "",
        "SPARQL endpoints a query may call with SERVICE, space- or comma-separated (empty: none)",
    ),
    Setting(
        "service_allow_private",
        bool,
        False,
        "let SERVICE call listed endpoints on loopback, private and link-local addresses",
    ),
    Setting(
        "result_limit", int, 1_000_000, "most rows or triples one result may hold (0: no limit)"
    ),
    Setting("max_body", int, 10 * 1024 * 1024, "largest request body accepted, in bytes"),
    Setting(
        "token",
        str,
        "",
        "bearer token enabling SPARQL Update and Graph Store writes (empty: writes off)",
    ),
    Setting("cors_origins", str, "*", "allowed CORS origins, comma-separated ('*': any)"),
    Setting(
        "union_default_graph",
        bool,
        True,
        "answer un-scoped patterns from the union of all named graphs",
    ),
    Setting("cache_size", int, 1000, "entries kept in the result cache (0: cache off)"),
    Setting("cache_max_age", int, 0, "max-age in seconds sent in Cache-Control for query results"),
    Setting(
        "cache_bytes",
        int,
        64 * 1024 * 1024,
        "bytes the result cache may hold per worker (one answer: at most 1/16)",
    ),
    Setting(
        "page_cache_bytes",
        int,
        64 * 1024 * 1024,
        "bytes of site pages each server process keeps per store version (0: none kept)",
    ),
    Setting(
        "search_index",
        str,
        "",
        "file of the site's search and table index (SQLite); empty: geoclaims-search.sqlite in"
        " data_dir (for a remote store: ~/.cache/geoclaims/search-<hash of store_url>.sqlite)",
    ),
    Setting(
        "search_refresh_seconds",
        float,
        300.0,
        "remote store: seconds the site's index may be older than the store before a page"
        " starts rebuilding it (others' writes reach search and tables after at most this long;"
        " writes through the site at once)",
    ),
    Setting(
        "trust_proxy",
        bool,
        False,
        "honour X-Forwarded-For/-Proto/-Host/-Prefix from one reverse proxy in front"
        " (only behind one)",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _default(name: str) -> Any:
    """The dataclass default of a setting, taken from SETTINGS (one place for every default)."""
    return field(default=_BY_NAME[name].default)


def _convert(setting: Setting, value: Any) -> Any:
    if isinstance(value, setting.type):
        return value
    text = str(value).strip()
    try:
        if setting.type is bool:
            if text.lower() in {"1", "true", "yes", "on"}:
                return True
            if text.lower() in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(text)
        return setting.type(text)
    except ValueError:
        raise ConfigError(
            f"{setting.env}: cannot read {text!r} as {setting.type.__name__}"
        ) from None


@dataclass(frozen=True)
class Config:
    """The settings in force; build it once with `Config.load()` and pass it down."""

    data_dir: str = _default("data_dir")
    store_url: str = _default("store_url")
    store_update_url: str = _default("store_update_url")
    store_gsp_url: str = _default("store_gsp_url")
    store_user: str = _default("store_user")
    store_password: str = _default("store_password")
    load_journal_dir: str = _default("load_journal_dir")
    store_stale_seconds: float = _default("store_stale_seconds")
    source_dir: str = _default("source_dir")
    base_iri: str = _default("base_iri")
    stream_from: int = _default("stream_from")
    host: str = _default("host")
    port: int = _default("port")
    workers: int = _default("workers")
    threads: int = _default("threads")
    query_processes: int = _default("query_processes")
    inline_rows: int = _default("inline_rows")
    header_timeout: float = _default("header_timeout")
    body_timeout: float = _default("body_timeout")
    drain: float = _default("drain")
    query_timeout: float = _default("query_timeout")
    query_max_depth: int = _default("query_max_depth")
    query_max_chain: int = _default("query_max_chain")
    service_allowlist: str = _default("service_allowlist")
    service_allow_private: bool = _default("service_allow_private")
    result_limit: int = _default("result_limit")
    max_body: int = _default("max_body")
    token: str = _default("token")
    cors_origins: str = _default("cors_origins")
    union_default_graph: bool = _default("union_default_graph")
    cache_size: int = _default("cache_size")
    cache_max_age: int = _default("cache_max_age")
    cache_bytes: int = _default("cache_bytes")
    page_cache_bytes: int = _default("page_cache_bytes")
    search_index: str = _default("search_index")
    search_refresh_seconds: float = _default("search_refresh_seconds")
    trust_proxy: bool = _default("trust_proxy")

    @classmethod
    def load(
        cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Config:
        """Defaults, then `KG_*` variables, then explicit overrides (CLI flags; None: unset)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            if setting.env in environ:
                values[setting.name] = _convert(setting, environ[setting.env])
        for name, value in (overrides or {}).items():
            if value is None:
                continue
            if name not in _BY_NAME:
                raise ConfigError(f"unknown setting {name!r}")
            values[name] = _convert(_BY_NAME[name], value)
        from kg.sources import default_project, folders

        if not values.get("source_dir"):
            values["source_dir"] = str(default_project(Path.cwd()))
        else:  # absolute, so that messages and `kg serve`'s workers name the same folders
            values["source_dir"] = os.pathsep.join(
                str(p.resolve()) for p in folders(values["source_dir"])
            )
        config = cls(**values)
        if not config.base_iri.endswith(("/", "#")):
            raise ConfigError(f"KG_BASE_IRI must end with '/' or '#': {config.base_iri!r}")
        return config

    def with_(self, **changes: Any) -> Config:
        """A copy with some settings changed."""
        return replace(self, **changes)

    @property
    def in_memory(self) -> bool:
        return self.data_dir == ":memory:"

    @property
    def remote(self) -> bool:
        return bool(self.store_url)

    @property
    def source(self) -> Path:
        """The (first) project folder."""
        return self.sources[0]

    @property
    def sources(self) -> list[Path]:
        """Every project folder of the source_dir setting, in order."""
        from kg.sources import default_project, folders

        if not self.source_dir:
            return [default_project(Path.cwd())]
        return folders(self.source_dir)

    def as_dict(self) -> dict[str, Any]:
        """The settings, with the token and the store's password hidden."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        for secret in ("token", "store_password"):
            if out[secret]:
                out[secret] = "***"
        return out
