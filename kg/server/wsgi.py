"""Running the Flask app (any WSGI app) for one request, in the connection's thread (PEP 3333).

The body is read whole by the connection before the app runs (it is capped by `max_body`; a
request declaring more reaches the app with its declared length and no body, so the app's own
413 answers it). An answer with a declared length leaves with its head in one write (up to
`BUFFER` bytes); a streamed one (no length) goes out chunked as the app yields it.
"""

from __future__ import annotations

import io
import logging
import sys
from typing import Any
from urllib.parse import unquote_to_bytes

from kg.errors import KGError
from kg.server.http import Reply, Request

BUFFER = 64 * 1024
log = logging.getLogger("kg.server")


def environ_for(request: Request, peer: tuple[str, int], local: tuple[str, int]) -> dict[str, Any]:
    """The WSGI environ of a request."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(request.path).decode("latin-1"),
        "QUERY_STRING": request.query_string,
        "RAW_URI": request.target.decode("latin-1"),
        "REQUEST_URI": request.target.decode("latin-1"),
        "SERVER_NAME": local[0],
        "SERVER_PORT": str(local[1]),
        "SERVER_PROTOCOL": f"HTTP/{request.version}",
        "REMOTE_ADDR": peer[0],
        "REMOTE_PORT": str(peer[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.input_terminated": True,
    }
    for name, value in request.headers.items():
        if "_" in name:
            continue  # X_Forwarded_For would pose as X-Forwarded-For: dropped, as gunicorn does
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key == "CONTENT_LENGTH":
            environ["CONTENT_LENGTH"] = value
        else:
            environ["HTTP_" + key] = value
    if not request.oversize and (request.body or "CONTENT_LENGTH" in environ):
        environ["CONTENT_LENGTH"] = str(len(request.body))
    return environ


def run_wsgi(app: Any, reply: Reply) -> None:
    """Call the app for the reply's request and send what it answers."""
    conn = reply.conn
    environ = environ_for(reply.request, conn.peer, conn.local)
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if exc_info is not None and reply.started:
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [status, headers]
        return _legacy_write

    def _legacy_write(data: bytes) -> None:  # PEP 3333's write(); Flask never uses it
        if not reply.started:
            reply.start(*started)
        reply.write(data)

    try:
        result = app(environ, start_response)
    except Exception:
        log.exception("the app failed on %s %s", reply.request.method, reply.request.path)
        reply.internal_error()
        return
    try:
        _send(reply, result, started)
    except OSError:
        pass  # the client left, or the answer was abandoned at its deadline
    except KGError as err:  # the result cap or the deadline, once the answer has begun
        log.warning("%s %s cut: %s", reply.request.method, reply.request.path, err.message)
        reply.internal_error()
    except Exception:
        log.exception("the app failed while streaming %s", reply.request.path)
        reply.internal_error()
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


def _declares_length(headers: list[tuple[str, str]]) -> bool:
    return any(k.lower() == "content-length" for k, _ in headers)


def _send(reply: Reply, result: Any, started: list[Any]) -> None:
    buffered: list[bytes] = []
    size = 0
    # A declared length: the body is joined to the head (one write) up to BUFFER bytes. A stream
    # starts with its first chunk, as the app produced it (an error after that cuts the stream).
    for chunk in result:
        if not chunk:
            continue
        if reply.started:
            reply.write(chunk)
            continue
        buffered.append(chunk)
        size += len(chunk)
        if not started:
            raise RuntimeError("the app did not call start_response")
        if size >= BUFFER or not _declares_length(started[1]):
            reply.start(*started)
            reply.write(b"".join(buffered))
            buffered = []
    if not started:
        raise RuntimeError("the app did not call start_response")
    if reply.started:
        if buffered:
            reply.write(b"".join(buffered))
        reply.end()
        return
    status, headers = started
    if reply.head_only:
        # HEAD: the app's own headers (its Content-Length is the GET body's), no body.
        reply.start(status, headers)
        reply.end()
        return
    body = b"".join(buffered)
    headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
    reply.whole(status, headers, body)
