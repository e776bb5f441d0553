"""HTTP/1.1 connections on asyncio: parsing (httptools), keep-alive, and writing responses.

A `Connection` parses requests with llhttp (httptools), queues pipelined ones and hands them,
one at a time, to its worker's `dispatch`. A `Reply` writes one request's response; it can be
used from the event loop (`send_whole`) or from a request thread (`write_threadsafe` and
friends), which hand the bytes to the loop with back-pressure: a thread waits while more than
`PENDING` bytes are on their way or the socket's buffer is full, so memory stays flat however
large the answer.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from email.utils import formatdate
from typing import Any

import httptools

KEEP_ALIVE = 5.0  # seconds an idle keep-alive connection stays open
HEAD_LIMIT = 64 * 1024  # request line and headers, in bytes
PENDING = 256 * 1024  # bytes a request thread may have queued for the loop
NO_BODY = (204, 304)
SERVER = "geoclaims"

_date = ["", 0.0]


def http_date() -> str:
    """The Date header's value, formatted at most once a second."""
    now = time.time()
    if int(now) != _date[1]:
        _date[0], _date[1] = formatdate(now, usegmt=True), int(now)
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
        "raw_headers",
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
        self.raw_headers: list[tuple[str, str]] = []
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
    """The response to one request; every method may be called from a request thread."""

    def __init__(self, conn: Connection, request: Request) -> None:
        self.conn = conn
        self.loop = conn.loop
        self.request = request
        self.keep_alive = request.keep_alive and not request.oversize
        self.started = False  # the head is out (or on its way)
        self.finished = False
        self.abandoned = False  # answered otherwise (deadline) or the client left: drop writes
        self.chunked = False
        self.head_only = request.method == "HEAD"
        self.timer: asyncio.TimerHandle | None = None  # the deadline, cancelled when done
        self._pending = 0
        self._cond = threading.Condition()

    # -- on the loop ---------------------------------------------------------------------------

    def send_whole(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        """A complete response in one write (on the loop)."""
        if self.finished or self.abandoned:
            return
        self.started = True
        keep = self.keep_alive and not self.conn.worker.draining
        code = int(status[:3])
        length = None if code in NO_BODY else len(body)
        head, _ = head_bytes(status, headers, length, keep)
        self.conn.write(head if self.head_only or code in NO_BODY else head + body)
        self._done(keep)

    def _done(self, keep_alive: bool) -> None:
        self.finished = True
        if self.timer is not None:
            self.timer.cancel()
        self.conn.request_done(self, keep_alive)

    def abandon(self, status: str | None = None, body: bytes = b"") -> None:
        """Answer now instead of the request thread (deadline), or cut the stream if it began."""
        if self.finished or self.abandoned:
            return
        if self.timer is not None:
            self.timer.cancel()
        if not self.started and status is not None:
            head, _ = head_bytes(
                status, [("Content-Type", "text/plain; charset=utf-8")], len(body), False
            )
            self.conn.write(head + body)
            self.abandoned = True
            self.finished = True
            self.conn.request_done(self, False)
        else:
            self.abandoned = True
            self.finished = True
            self.conn.abort()
        self._wake()

    # -- from a request thread -----------------------------------------------------------------

    def _submit(self, fn: Any, *args: Any, size: int = 0) -> None:
        with self._cond:
            while (
                (self._pending > PENDING or self.conn.paused)
                and not self.conn.closed
                and not self.abandoned
            ):
                self._cond.wait(1.0)
            if self.conn.closed or self.abandoned:
                raise OSError("the client is gone")
            self._pending += size
        self.loop.call_soon_threadsafe(fn, *args)

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def whole_threadsafe(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        """`send_whole` from a request thread."""
        self._submit(self.send_whole, status, headers, body)

    def start_threadsafe(self, status: str, headers: list[tuple[str, str]]) -> None:
        """Send the head of a streamed response (chunked, or close-delimited for HTTP/1.0)."""
        declared = any(k.lower() == "content-length" for k, _ in headers)
        keep = self.keep_alive and (declared or self.request.version == "1.1")
        head, chunked = head_bytes(status, headers, None, keep)
        if chunked and self.request.version != "1.1":
            chunked = False  # HTTP/1.0: the body ends when the connection closes
            head = head.replace(b"Transfer-Encoding: chunked\r\n", b"")
        self.chunked = chunked and not self.head_only
        self.keep_alive = keep
        self.started = True
        self._submit(self._write_on_loop, head, size=len(head))

    def write_threadsafe(self, data: bytes) -> None:
        """A piece of a streamed body."""
        if not data or self.head_only:
            return
        if self.chunked:
            data = b"%x\r\n%b\r\n" % (len(data), data)
        self._submit(self._write_on_loop, data, size=len(data))

    def end_threadsafe(self) -> None:
        """The end of a streamed body."""
        tail = b"0\r\n\r\n" if self.chunked else b""
        self._submit(self._end_on_loop, tail, size=len(tail))

    def _write_on_loop(self, data: bytes) -> None:
        if not self.abandoned:
            self.conn.write(data)
        with self._cond:
            self._pending -= len(data)
            self._cond.notify_all()

    def _end_on_loop(self, tail: bytes) -> None:
        self._write_on_loop(tail)
        if not self.finished:
            self._done(self.keep_alive and not self.conn.worker.draining)


class Connection(asyncio.Protocol):
    """One client connection: parse, queue, dispatch one request at a time, keep alive."""

    def __init__(self, worker: Any) -> None:
        self.worker = worker
        self.loop = worker.loop
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.queue: deque[Request] = deque()
        self.current: Reply | None = None
        self.closed = False
        self.paused = False
        self.upgraded = False
        self.peer: tuple[str, int] = ("", 0)
        self.local: tuple[str, int] = ("", 0)
        self._idle: asyncio.TimerHandle | None = None
        self._request: Request | None = None
        self._url = b""
        self._head_size = 0
        self._body: list[bytes] = []
        self._body_size = 0
        self._name = ""

    # -- asyncio -------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername") or ("", 0)
        local = transport.get_extra_info("sockname") or ("", 0)
        self.peer, self.local = (str(peer[0]), int(peer[1])), (str(local[0]), int(local[1]))
        self.worker.connections.add(self)
        self._arm_idle()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.worker.connections.discard(self)
        if self._idle is not None:
            self._idle.cancel()
        if self.current is not None:
            self.current.abandoned = True
            self.current._wake()
        self.worker.check_drained()

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        if self.current is not None:
            self.current._wake()

    def data_received(self, data: bytes) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        if self.upgraded:
            return  # after an ignored Upgrade the rest is not HTTP/1.1 for us
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self.upgraded = True  # e.g. Jena's `Upgrade: h2c`: answered in HTTP/1.1, then closed
            for request in self.queue:
                request.keep_alive = False
        except (httptools.HttpParserError, _TooLarge) as err:
            status = (
                "431 Request Header Fields Too Large"
                if isinstance(err, _TooLarge)
                else ("400 Bad Request")
            )
            self._refuse(status, f"{status}\n\nmalformed or oversized request: {err}\n")

    # -- httptools callbacks -------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._url = b""
        self._head_size = 0
        self._body = []
        self._body_size = 0
        self._request = None

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._head_size += len(url)
        if self._head_size > self.worker.max_target:
            raise _TooLarge("the URL is too long")

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._request is None:
            method = self.parser.get_method().decode("latin-1")
            self._request = Request(method, self._url, self.parser.get_http_version())
        self._head_size += len(name) + len(value)
        if self._head_size > self.worker.max_target + HEAD_LIMIT:
            raise _TooLarge("the headers are too long")
        key, text = name.decode("latin-1"), value.decode("latin-1")
        self._request.raw_headers.append((key, text))
        lower = key.lower()
        seen = self._request.headers.get(lower)
        self._request.headers[lower] = text if seen is None else f"{seen}, {text}"

    def on_headers_complete(self) -> None:
        if self._request is None:
            method = self.parser.get_method().decode("latin-1")
            self._request = Request(method, self._url, self.parser.get_http_version())
        request = self._request
        request.keep_alive = self.parser.should_keep_alive()
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.worker.max_body:
            request.oversize = True  # the app answers 413 from the declared length
        elif request.headers.get("expect", "").lower() == "100-continue" and self.transport:
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

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
        request = self._request
        if request is None:
            return
        request.body = b"".join(self._body)
        self._body = []
        self.queue.append(request)
        if len(self.queue) > 8 and self.transport is not None:
            self.transport.pause_reading()  # a client pipelining too far ahead waits
        if self.current is None:
            self._next()

    # -- requests and replies ------------------------------------------------------------------

    def _next(self) -> None:
        if not self.queue or self.closed:
            return
        request = self.queue.popleft()
        if self.transport is not None and len(self.queue) <= 8:
            self.transport.resume_reading()
        reply = Reply(self, request)
        self.current = reply
        self.worker.dispatch(self, reply)

    def request_done(self, reply: Reply, keep_alive: bool) -> None:
        """A reply is complete: next request, wait for one, or close."""
        if reply is not self.current:
            return
        self.current = None
        if not keep_alive or self.worker.draining:
            self.close()
        elif self.queue:
            self._next()
        else:
            self._arm_idle()
        self.worker.check_drained()

    def write(self, data: bytes) -> None:
        if not self.closed and self.transport is not None:
            self.transport.write(data)

    def close(self) -> None:
        if not self.closed and self.transport is not None:
            self.closed = True
            self.transport.close()

    def abort(self) -> None:
        if not self.closed and self.transport is not None:
            self.closed = True
            self.transport.abort()

    def close_if_idle(self) -> None:
        """Close now when no request is being answered (draining)."""
        if self.current is None and not self.queue:
            self.close()

    def _arm_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
        self._idle = self.loop.call_later(KEEP_ALIVE, self.close_if_idle)

    def _refuse(self, status: str, text: str) -> None:
        body = text.encode("utf-8", "replace")
        head, _ = head_bytes(
            status, [("Content-Type", "text/plain; charset=utf-8")], len(body), False
        )
        if self.current is None:
            self.write(head + body)
        self.close()


class _TooLarge(Exception):
    """A request line or header block over the limits."""
