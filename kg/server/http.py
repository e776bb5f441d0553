"""HTTP/1.1 connections, one thread each: parsing (httptools), keep-alive, writing responses.

A `Connection` thread reads its socket, parses with llhttp (httptools) and answers each request
in turn, in the same thread: no hand-over between threads or to an event loop, so a request
costs one wake-up. Reading blocks with the GIL released; so do pyoxigraph's query evaluation
and serialization, so the threads of one worker run queries in parallel.

A `Reply` writes one request's response. Its only other user is the worker's watchdog: at the
deadline `abandon()` sends the 503 itself when nothing was sent yet (the connection's thread is
stuck in the engine), or shuts the socket down to cut a stream that began.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections import deque
from email.utils import formatdate
from typing import Any

import httptools

from kg.web.errors import TEXT, error_text

log = logging.getLogger("kg.server")

KEEP_ALIVE = 5.0  # seconds an idle keep-alive connection stays open (and between reads)
SEND_TIMEOUT = 60.0  # seconds a client may leave an answer unread before it is dropped
HEAD_LIMIT = 64 * 1024  # request headers, in bytes (besides the URL)
NO_BODY = (204, 304)
SERVER = "geoclaims"

_date = ["", 0]


def http_date() -> str:
    """The Date header's value, formatted at most once a second."""
    now = int(time.time())
    if now != _date[1]:
        _date[0], _date[1] = formatdate(now, usegmt=True), now
    return _date[0]  # type: ignore[return-value]


class Request:
    """One parsed request: method, target, headers (lower-case names) and the whole body."""

    __slots__ = (
        "method",
        "target",
        "path",
        "query_string",
        "version",
        "headers",
        "body",
        "keep_alive",
        "oversize",
    )

    def __init__(self, method: str, target: bytes, version: str) -> None:
        self.method = method
        self.target = target
        path, _, query = target.partition(b"?")
        self.path = path.decode("latin-1")
        self.query_string = query.decode("latin-1")
        self.version = version
        self.headers: dict[str, str] = {}
        self.body = b""
        self.keep_alive = True
        self.oversize = False  # the body was over the limit and was not kept


def head_bytes(
    status: str, headers: list[tuple[str, str]], length: int | None, keep_alive: bool
) -> tuple[bytes, bool]:
    """The status line and headers; chunked framing when there is no length (and a body)."""
    lines = [f"HTTP/1.1 {status}"]
    names = set()
    for name, value in headers:
        lower = name.lower()
        if lower in ("connection", "transfer-encoding", "keep-alive"):
            continue
        if lower == "content-length" and length is not None:
            continue
        names.add(lower)
        lines.append(f"{name}: {value}")
    chunked = False
    code = int(status[:3])
    if length is not None:
        lines.append(f"Content-Length: {length}")
    elif code not in NO_BODY and code >= 200 and "content-length" not in names:
        chunked = True
        lines.append("Transfer-Encoding: chunked")
    if "date" not in names:
        lines.append(f"Date: {http_date()}")
    if "server" not in names:
        lines.append(f"Server: {SERVER}")
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"), chunked


class Reply:
    """The response to one request, written by the connection's thread (or the watchdog)."""

    def __init__(self, conn: Connection, request: Request) -> None:
        self.conn = conn
        self.request = request
        self.keep_alive = request.keep_alive and not request.oversize
        self.started = False  # the head is out (or being sent)
        self.finished = False
        self.abandoned = False  # answered by the watchdog, or cut: later writes fail
        self.chunked = False
        self.head_only = request.method == "HEAD"
        self._lock = conn.lock

    def _begin(self) -> None:
        with self._lock:
            if self.abandoned or self.conn.closed:
                raise OSError("the answer was abandoned")
            self.started = True

    def whole(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        """A complete response in one write."""
        self._begin()
        keep = self.keep_alive and not self.conn.worker.draining
        code = int(status[:3])
        length = None if code in NO_BODY else len(body)
        head, _ = head_bytes(status, headers, length, keep)
        self.keep_alive = keep
        self.conn.send(head if self.head_only or code in NO_BODY else head + body)
        self.finished = True

    def start(self, status: str, headers: list[tuple[str, str]]) -> None:
        """The head of a streamed response (chunked, or close-delimited for HTTP/1.0)."""
        self._begin()
        declared = any(k.lower() == "content-length" for k, _ in headers)
        keep = self.keep_alive and (declared or self.request.version == "1.1")
        keep = keep and not self.conn.worker.draining
        head, chunked = head_bytes(status, headers, None, keep)
        if chunked and self.request.version != "1.1":
            chunked = False  # HTTP/1.0: the body ends when the connection closes
            head = head.replace(b"Transfer-Encoding: chunked\r\n", b"")
        self.chunked = chunked and not self.head_only
        self.keep_alive = keep
        self.conn.send(head)

    def write(self, data: bytes) -> None:
        """A piece of a streamed body."""
        if not data or self.head_only:
            return
        if self.abandoned:
            raise OSError("the answer was abandoned")
        if self.chunked:
            data = b"%x\r\n%b\r\n" % (len(data), data)
        self.conn.send(data)

    def end(self) -> None:
        """The end of a streamed body."""
        if self.chunked:
            self.conn.send(b"0\r\n\r\n")
        self.finished = True

    def internal_error(self) -> None:
        """A 500 in the one error shape if nothing was sent yet, else cut the answer."""
        if self.started:
            self.cut()
            return
        status, body = error_text(500, "the server failed while answering; see its log")
        with contextlib.suppress(OSError):
            self.whole(status, [("Content-Type", TEXT)], body)

    def cut(self) -> None:
        """Stop a streamed answer visibly (no last chunk): the connection is closed."""
        self.abandoned = True
        self.keep_alive = False
        self.conn.shutdown()

    def abandon(self, status: str, body: bytes) -> None:
        """From the watchdog: answer `status` now if nothing was sent, else cut the stream."""
        with self._lock:
            if self.finished or self.abandoned:
                return
            self.abandoned = True
            started = self.started
        self.conn.stuck = True  # its thread is in the engine: a retiring worker need not wait
        if not started:
            head, _ = head_bytes(status, [("Content-Type", TEXT)], len(body), False)
            with contextlib.suppress(OSError):
                self.conn.sock.settimeout(1.0)
                self.conn.sock.sendall(head + body)
        self.conn.shutdown()


class Connection:
    """One client connection, served by one thread until it closes."""

    def __init__(self, worker: Any, sock: socket.socket, peer: Any) -> None:
        self.worker = worker
        self.sock = sock
        self.peer = (str(peer[0]), int(peer[1])) if peer else ("", 0)
        local = sock.getsockname()
        self.local = (str(local[0]), int(local[1]))
        self.lock = threading.Lock()
        self.closed = False
        self.idle = True  # waiting for a request (a retiring worker may close it)
        self.stuck = False  # answered by the watchdog while its thread runs a late query
        self._in_message = False
        self.parser = httptools.HttpRequestParser(self)
        self.queue: deque[Request] = deque()
        self._request: Request | None = None
        self._url = b""
        self._head_size = 0
        self._body: list[bytes] = []
        self._body_size = 0

    # -- the thread ----------------------------------------------------------------------------

    def serve(self) -> None:
        """Read, parse and answer requests until the client or the worker closes."""
        sock = self.sock
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        upgraded = False
        try:
            while not self.closed:
                self.idle = not self.queue and not self._in_message
                if self.idle and self.worker.draining:
                    return
                try:
                    sock.settimeout(KEEP_ALIVE)
                    data = sock.recv(65536)
                except OSError:  # idle timeout, reset, or shut down by the worker
                    return
                self.idle = False
                if not data:
                    return
                try:
                    self.parser.feed_data(data)
                except httptools.HttpParserUpgrade:
                    upgraded = True  # e.g. Jena's `Upgrade: h2c`: answered in HTTP/1.1, closed
                except (httptools.HttpParserError, _TooLarge) as err:
                    self._refuse(err)
                    return
                while self.queue:
                    request = self.queue.popleft()
                    if upgraded:
                        request.keep_alive = False
                    reply = Reply(self, request)
                    try:
                        self.worker.handle(reply)
                    except Exception:
                        log.exception("answering %s %s failed", request.method, request.path)
                        reply.internal_error()
                        return
                    if not reply.keep_alive or reply.abandoned or self.worker.draining:
                        return
                if upgraded:
                    return
        finally:
            self.close()

    def send(self, data: bytes) -> None:
        self.sock.settimeout(SEND_TIMEOUT)  # a slow reader, not an idle one
        self.sock.sendall(data)

    def shutdown(self) -> None:
        """Wake the connection's thread (blocked in recv or send) and end the connection."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            with contextlib.suppress(OSError):
                self.sock.close()

    def _refuse(self, err: Exception) -> None:
        # httptools wraps a callback's exception in HttpParserCallbackError("User callback error").
        cause = err if isinstance(err, _TooLarge) else err.__context__
        too_large = isinstance(cause, _TooLarge)
        err = cause if too_large else err  # type: ignore[assignment]
        status = cause.status if too_large else "400 Bad Request"  # type: ignore[union-attr]
        body = f"{status}\n\nmalformed or oversized request: {err}\n".encode("utf-8", "replace")
        head, _ = head_bytes(status, [("Content-Type", TEXT)], len(body), False)
        with contextlib.suppress(OSError):
            self.send(head + body)
            # Lingering close: read what the client still sends (briefly), so that closing with
            # unread data does not reset the connection before the client has read the answer.
            self.sock.shutdown(socket.SHUT_WR)
            self.sock.settimeout(1.0)
            drained = 0
            while drained < 4 * 1024 * 1024:
                data = self.sock.recv(65536)
                if not data:
                    break
                drained += len(data)

    # -- httptools callbacks -------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._in_message = True
        self._url = b""
        self._head_size = 0
        self._body = []
        self._body_size = 0
        self._request = None

    def on_url(self, url: bytes) -> None:
        self._url += url
        if len(self._url) > self.worker.max_target:
            raise _TooLarge("the URL is too long: use POST", "414 URI Too Long")

    def _start(self) -> Request:
        if self._request is None:
            method = self.parser.get_method().decode("latin-1")
            self._request = Request(method, self._url, self.parser.get_http_version())
        return self._request

    def on_header(self, name: bytes, value: bytes) -> None:
        request = self._start()
        self._head_size += len(name) + len(value)
        if self._head_size > HEAD_LIMIT:
            raise _TooLarge("the headers are too long")
        lower, text = name.decode("latin-1").lower(), value.decode("latin-1")
        seen = request.headers.get(lower)
        request.headers[lower] = text if seen is None else f"{seen}, {text}"

    def on_headers_complete(self) -> None:
        request = self._start()
        request.keep_alive = self.parser.should_keep_alive()
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.worker.max_body:
            request.oversize = True  # the app answers 413 from the declared length
        elif request.headers.get("expect", "").lower() == "100-continue":
            with contextlib.suppress(OSError):
                self.send(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        request = self._request
        if request is None or request.oversize:
            return
        self._body_size += len(body)
        if self._body_size > self.worker.max_body:
            request.oversize = True
            self._body = []
            return
        self._body.append(body)

    def on_message_complete(self) -> None:
        request = self._start()
        request.body = b"".join(self._body)
        self._body = []
        self._request = None
        self._in_message = False
        self.queue.append(request)


class _TooLarge(Exception):
    """A request line or header block over the limits, and the status that says so."""

    def __init__(self, message: str, status: str = "431 Request Header Fields Too Large") -> None:
        super().__init__(message)
        self.status = status
