"""The WSGI app `kg serve` runs under granian: request checks, the body, the query fast path, Flask.

granian (hyper's HTTP/1.1 parser, an async Rust runtime: idle and slow connections cost no
thread) owns connections, keep-alive, pipelining, the header deadline and the header-count
cap. What it leaves to the app is done here, before anything else runs:

- a request on HTTP/1.1 without exactly one Host header: 400;
- a declared body over `max_body`: 413 at once, nothing read (so also before any
  `100 Continue`); a chunked body is read up to `max_body` and gets 413 past it;
- the body is read whole within `body_timeout` seconds, else 408 (a reader thread does the
  reading, so the request thread is free at the deadline whatever the client does).

Then plain queries take the fast path (kg.server.queries: no Flask, same answer) and
everything else goes to the Flask app. Queries run in killable processes (kg.executor).

The Flask app runs on Python threads of our own with an 8 MiB+ stack (`STACK`), never on
granian's threads: those have Rust's 2 MiB stacks, on which pyoxigraph's parser overflows at
~550 nested braces (measured) and takes the whole worker down; an update, a page or an
in-memory store's query parses SPARQL in this process. The fast path stays on granian's thread
for an on-disk store (its queries run in query processes, on their main thread's stack; the only
ones it runs here, kg.bounded's one triple pattern, parse on any stack) and for a remote store
(its queries are checked as text and sent, never parsed here).
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from kg.config import Config
from kg.executor import Executor
from kg.server.queries import QueryPath
from kg.web.errors import TEXT, error_text

log = logging.getLogger("kg.server")
StartResponse = Callable[..., Any]
CLOSE = ("Connection", "close")
READERS = 512  # body reader threads a worker may have at once (stalled bodies hold one each)
STACK = 16 * 1024 * 1024  # stack of the threads running the app (SPARQL parsing recurses)


class _Refused(Exception):
    """A request refused before the app sees it: its status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class Gateway:
    """The WSGI callable: checks, body, fast path or Flask."""

    def __init__(self, config: Config, flask_app: Any) -> None:
        self.config = config
        self.flask = flask_app
        self.queries = QueryPath(flask_app, config)
        self.readers = ThreadPoolExecutor(READERS, thread_name_prefix="kg-body")
        self.app_threads = ThreadPoolExecutor(max(config.threads, 1), thread_name_prefix="kg-app")
        # An in-memory store's queries parse SPARQL in this process: on our threads. A remote
        # store's are checked and sent as text (kg.jobs.InlineExecutor), safe on granian's.
        executor = flask_app.extensions["kg"].executor
        self.inline = not isinstance(executor, Executor) and not _forwards(executor)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("SERVER_PROTOCOL") == "HTTP/1":  # granian's name for HTTP/1.0
            environ["SERVER_PROTOCOL"] = "HTTP/1.0"
        try:
            self._check(environ)
            body = self._body(environ)
        except _Refused as refused:
            status, text = error_text(refused.status, refused.message)
            headers = [("Content-Type", TEXT), ("Content-Length", str(len(text))), CLOSE]
            start_response(status, headers)
            return [text]
        environ["wsgi.input"] = io.BytesIO(body)
        if body or environ.get("CONTENT_LENGTH"):
            environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        if not self.inline:
            answer = self.queries.answer(environ, body, start_response)
            if answer is not None:
                return _streamed(answer)
        return _streamed(self.app_threads.submit(self._app, environ, body, start_response).result())

    def _app(
        self, environ: dict[str, Any], body: bytes, start_response: StartResponse
    ) -> Iterable[bytes]:
        if self.inline:
            answer = self.queries.answer(environ, body, start_response)
            if answer is not None:
                return answer
        return self.flask(environ, start_response)

    def _check(self, environ: dict[str, Any]) -> None:
        host = environ.get("HTTP_HOST", "")
        # granian joins repeated headers with ","; a Host value never holds one.
        if "," in host:
            raise _Refused(400, "the request carries more than one Host header")
        if not host and environ.get("SERVER_PROTOCOL") == "HTTP/1.1":
            raise _Refused(400, "an HTTP/1.1 request must carry a Host header")
        declared = environ.get("CONTENT_LENGTH") or ""
        if declared:
            try:
                length = int(declared)
            except ValueError:
                raise _Refused(400, f"bad Content-Length: {declared!r}") from None
            if length > self.config.max_body:
                raise _Refused(413, self._too_large())

    def _too_large(self) -> str:
        return f"the request body is larger than {self.config.max_body} bytes (KG_MAX_BODY)"

    def _body(self, environ: dict[str, Any]) -> bytes:
        declared = environ.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked and declared in ("", "0"):
            return b""
        wanted = int(declared) if declared and not chunked else self.config.max_body + 1
        stream = environ["wsgi.input"]
        if self.config.body_timeout <= 0:  # no deadline: read in this thread
            body: bytes = stream.read(wanted)
            return self._checked(body, wanted, chunked)
        future = self.readers.submit(stream.read, wanted)
        try:
            body = future.result(self.config.body_timeout)
        except FutureTimeout:
            raise _Refused(
                408, f"the request body did not arrive within {self.config.body_timeout:g} s"
            ) from None
        except Exception as err:  # noqa: BLE001 - a broken upload: the client left
            raise _Refused(400, f"the request body could not be read: {err}") from None
        return self._checked(body, wanted, chunked)

    def _checked(self, body: bytes, wanted: int, chunked: bool) -> bytes:
        if len(body) > self.config.max_body:
            raise _Refused(413, self._too_large())
        if not chunked and len(body) < wanted:
            raise _Refused(400, "the request body ended before its Content-Length")
        return body


def _forwards(executor: Any) -> bool:
    """Whether the executor's store answers queries itself (a remote store: `forward`)."""
    return getattr(getattr(executor, "store", None), "forward", None) is not None


CUT_GRACE = 0.05  # seconds granian is given to write what was yielded before a stream is cut


def _streamed(body: Iterable[bytes]) -> Iterable[bytes]:
    """A streamed answer that fails midway (the cap, the deadline) reaches the client as a begun,
    visibly cut answer. granian drops the connection when the iterator raises, and what was
    already yielded (the status line with it) may not be written yet: one in three cut answers
    arrived as no answer at all. Waiting a moment before the error goes on lets it be written."""
    if isinstance(body, list):
        return body

    def chunks() -> Iterator[bytes]:
        try:
            yield from body
        except Exception:
            time.sleep(CUT_GRACE)
            raise
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return chunks()


def create(config: Config) -> Gateway:
    """The app of one granian worker (called in the worker, after the fork)."""
    from kg.web import create_app

    threading.stack_size(STACK)  # every Python thread this worker starts from now on
    flask_app = create_app(config)
    flask_app.extensions["kg"].executor.warm()
    return Gateway(config, flask_app)
