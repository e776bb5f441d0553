"""The web app: `create_app(config, store=None)`, a thin layer over the library.

Blueprints: `kg.web.sparql` (/sparql, /query, /update: SPARQL 1.1 Protocol), `kg.web.gsp` (/store:
Graph Store HTTP Protocol) and, when present, `kg.web.pages.bp` (the site: /, linked-data pages).

Shared per-app state lives in `app.extensions["kg"]`, an `AppState`; `kg.web.state()` returns it
inside a request. Pages run their queries through the same timeout-safe path as the endpoint:

    from kg.web import state
    rows = state().select("SELECT ?label WHERE { ?e rdfs:label ?label }", {"e": ox.NamedNode(iri)})
    result = state().run(Job(sparql, accept=request.headers.get("Accept")))  # negotiated bytes

Writes go through `state().writing()` (one writer at a time; readers reopen after each write).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import pyoxigraph as ox
from flask import Flask, current_app

from kg.config import Config
from kg.executor import Executor, ExecutorStore, InlineExecutor, Job, Result, make_executor
from kg.formats import RESULTS
from kg.guard import Limits
from kg.inprocess import LocalExecutor
from kg.lock import writer
from kg.store import Store


@dataclass
class AppState:
    """What every request handler shares: settings, a read store, the executor, the write store.

    `store` answers queries through `executor` (timeouts apply); `write_store` is the object
    writes go to when it is shared (in memory, remote, or given to `create_app`), else None and
    each write opens the on-disk store under the writer lock (`writing()` hides the difference).
    """

    config: Config
    store: Store
    executor: Executor | InlineExecutor | LocalExecutor
    write_store: Store | None = None

    def run(self, job: Job, timeout: float | None = None) -> Result:
        """Run a query job under the configured timeout; the answer is negotiated bytes."""
        if job.limits is None:
            job = replace(job, limits=Limits.of(self.config))
        return self.executor.run(job, timeout)

    def select(
        self, sparql: str, substitutions: Mapping[str, Any] | None = None, *, union: bool = True
    ) -> list[dict[str, Any]]:
        """A SELECT's rows as dicts of pyoxigraph terms (unbound variables left out)."""
        job = Job(sparql, union=union, formats=["json"], substitutions=substitutions)
        solutions = ox.parse_query_results(self.run(job).read(), RESULTS[0].ox)
        names = [v.value for v in solutions.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in solutions]

    def ask(self, sparql: str, substitutions: Mapping[str, Any] | None = None) -> bool:
        """An ASK's answer."""
        job = Job(sparql, formats=["json"], substitutions=substitutions)
        return bool(ox.parse_query_results(self.run(job).read(), RESULTS[0].ox))

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """The store to write to, held for one write (never run queries while holding it)."""
        with writer(self.config, self.write_store) as store:
            yield store
        self.written()

    def written(self) -> None:
        """After a write: the site's search and table index follows the store (kg.search)."""
        from kg import search

        store = self.write_store if self.write_store is not None else self.store
        try:
            search.refresh_after_write(self.config, store)
        except Exception as err:  # noqa: BLE001 - the write stands; the next page rebuilds it
            current_app.logger.warning("search index not refreshed after a write: %s", err)


def state() -> AppState:
    """The current app's shared state."""
    return current_app.extensions["kg"]


def create_app(
    config: Config, store: Store | None = None, executor: LocalExecutor | None = None
) -> Flask:
    """The Flask app serving the store the settings point at (or the one given).

    `executor` runs its queries (default: `kg.executor.make_executor`); `kg serve` passes its
    in-process one (kg.inprocess.LocalExecutor).
    """
    from kg.web import errors, gsp, sparql

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if store is None and (config.in_memory or config.remote):
        from kg.store import open_store

        store = open_store(config)
    if executor is None:
        executor = make_executor(config, store)
    # Not `store or ...`: an empty EmbeddedStore is falsy (it has __len__).
    read_store: Store = (
        store
        if isinstance(executor, InlineExecutor) and store is not None
        else ExecutorStore(executor, config.data_dir, Limits.of(config))
    )
    app.extensions["kg"] = AppState(config, read_store, executor, store)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(gsp.bp)
    if importlib.util.find_spec("kg.web.pages") is not None:
        from kg.web import pages

        app.register_blueprint(pages.bp)
    errors.register(app)
    from kg.web import conneg

    app.after_request(conneg.finish)
    if config.trust_proxy:
        # One proxy in front: its X-Forwarded-* say the outside scheme, host and path prefix.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1
        )
    return app
