"""The HTTP client for remote stores: libcurl (pycurl), one keep-alive connection per thread.

Chosen by measured CPU per request on a point query against Oxigraph server (bench/clients.py,
bench/RESULTS.md "HTTP client for remote stores"): pycurl ~0.04 ms, http.client ~0.08 ms,
urllib3 ~0.14 ms, httpx ~0.32 ms, requests ~0.46 ms. libcurl also releases the GIL while it
waits and reads, and does Digest authentication and gzip itself.

`StoreClient.open(...)` sends a request and returns a `Response` once the status line and
headers are in; its body is read as it arrives (`read`, `raw`), so an answer can be parsed while
it streams without holding it whole (libcurl's multi interface, driven from Python): the
library's parsers read it so, and the endpoint passes answers on so (`RemoteStore.forward`), the
transfer moving only as the client takes the answer (libcurl's own loop with a write callback
was ~0.005 ms cheaper per request, bench/clients.py, but runs a whole transfer in one call, so it
cannot stream to a reader: it is no longer used). A request body can be an `Upload`
(bytes and files, read as they are sent). A transfer cut short (the store died, a Content-Length
or a chunked body not complete) is an error at the read that finds it, never a short answer.
Errors: `StoreUnavailable` (cannot connect, 503), `StoreTimeout` (no complete answer within the
timeout, 504), `StoreError` (anything else the store got wrong, 502).
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

import pycurl

from kg.errors import StoreError, StoreTimeout, StoreUnavailable

CONNECT_TIMEOUT = 10.0  # seconds to open a connection, at most
_UNAVAILABLE = {
    pycurl.E_COULDNT_CONNECT,
    pycurl.E_COULDNT_RESOLVE_HOST,
    pycurl.E_COULDNT_RESOLVE_PROXY,
}
_WAIT = 1.0  # seconds one select() waits before libcurl checks its timeouts again


class Response:
    """One answer of the store: status, headers, and a body read as it comes."""

    def __init__(self, client: StoreClient, easy: pycurl.Curl, url: str, multi: Any = None) -> None:
        self._client = client
        self._easy = easy
        self._multi = multi  # the multi handle driving this transfer (pull mode)
        self.url = url
        self.status = 0
        self.headers: dict[str, str] = {}
        self._buffer = bytearray()
        self._headers_done = False
        self.done = False
        self._closed = False

    @property
    def content_type(self) -> str:
        """The media type of the body, lower case, without parameters ("" if none)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def _header(self, line: bytes) -> None:
        text = line.decode("iso-8859-1").strip()
        if text.startswith("HTTP/"):
            parts = text.split(None, 2)
            self.status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
            self.headers = {}  # a 100 Continue or an auth challenge came before: start again
            self._buffer.clear()
        elif not text:
            # With credentials, libcurl answers a 401 challenge (Digest) by asking again: the
            # headers that count are the next ones (a second 401 ends the transfer).
            challenged = self.status in (401, 407) and self._client.user
            if self.status >= 200 and not challenged:
                self._headers_done = True
        elif ":" in text:
            name, _, value = text.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    def _write(self, data: bytes) -> None:
        self._buffer += data

    def _drive(self) -> None:
        """Let libcurl move the transfer on, waiting for the socket when it has nothing."""
        multi = self._multi
        while True:
            code, active = multi.perform()
            if code != pycurl.E_CALL_MULTI_PERFORM:
                break
        if active:
            multi.select(_WAIT)
            return
        _, _, failed = multi.info_read()
        multi.remove_handle(self._easy)
        self.done = True
        self._client._release(self._easy, multi)
        if failed:
            _, errno, message = failed[0]
            raise _error(errno, message, self.url)

    def wait_headers(self) -> None:
        """Return when the status line and headers are in."""
        while not self._headers_done and not self.done:
            self._drive()
        if not self._headers_done and not self.status:
            raise StoreError(f"the remote store at {self.url} answered without headers")

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes of the body (all of it if negative); b"" at the end."""
        try:
            while not self.done and (size < 0 or len(self._buffer) < size):
                self._drive()
        except BaseException:
            self.close()
            raise
        if size < 0 or size >= len(self._buffer):
            data = bytes(self._buffer)
            self._buffer.clear()
        else:
            data = bytes(self._buffer[:size])
            del self._buffer[:size]
        return data

    def prefetch(self, size: int) -> bytes:
        """Read ahead until `size` bytes or the end are in; those bytes, still unread."""
        try:
            while not self.done and len(self._buffer) < size:
                self._drive()
        except BaseException:
            self.close()
            raise
        return bytes(self._buffer)

    def text(self, limit: int) -> str:
        """At most `limit` characters of the body as text (for error messages)."""
        try:
            body = self.read()
        except StoreError:
            body = bytes(self._buffer)
        return body.decode("utf-8", "replace").strip()[:limit]

    def raw(self) -> io.BufferedReader:
        """The body as a binary file (for parsers that read a stream)."""
        return io.BufferedReader(_Raw(self), 64 * 1024)

    def close(self) -> None:
        """Stop the transfer if it has not finished (its connection is then closed)."""
        if self._closed:
            return
        self._closed = True
        if not self.done:
            self.done = True
            with contextlib.suppress(pycurl.error):
                self._multi.remove_handle(self._easy)
            self._client._discard(self._easy, self._multi)

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Raw(io.RawIOBase):
    def __init__(self, response: Response) -> None:
        self.response = response

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.response.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.response.close()
        super().close()


def _error(errno: int, message: str, url: str) -> StoreError:
    if errno in _UNAVAILABLE:
        return StoreUnavailable(f"cannot reach the remote store at {url}: {message}")
    if errno == pycurl.E_OPERATION_TIMEDOUT:
        return StoreTimeout(f"the remote store did not answer in time ({message})")
    return StoreError(f"the remote store's answer broke off: {message}")


class Upload:
    """A request body read from its parts as it is sent: bytes, files (paths) and seekable
    binary streams (from where they stand), in order, so that a big file goes to the store
    without being read into memory."""

    def __init__(self, *parts: bytes | Path | IO[bytes]) -> None:
        self.parts = parts
        self._starts: list[int] = []
        sizes = []
        for part in parts:
            if isinstance(part, bytes):
                start, size = 0, len(part)
            elif isinstance(part, Path):
                start, size = 0, part.stat().st_size
            else:
                start = part.tell()
                size = part.seek(0, io.SEEK_END) - start
                part.seek(start)
            self._starts.append(start)
            sizes.append(size)
        self._sizes = sizes
        self.size = sum(sizes)
        self._index = 0
        self._file: IO[bytes] | None = None
        self._offset = 0

    def rewind(self) -> None:
        """Back to the first byte."""
        self._close()
        self._index, self._offset = 0, 0

    def read(self, size: int) -> bytes:
        """Up to `size` bytes of the body (b"" at its end): libcurl's read callback."""
        while self._index < len(self.parts):
            part = self.parts[self._index]
            if isinstance(part, bytes):
                data = part[self._offset : self._offset + size]
            else:
                if self._file is None:
                    self._file = part.open("rb") if isinstance(part, Path) else part
                    self._file.seek(self._starts[self._index])
                wanted = min(size, self._sizes[self._index] - self._offset)
                data = self._file.read(wanted) if wanted > 0 else b""
            self._offset += len(data)
            if not data or self._offset >= self._sizes[self._index]:  # this part is done
                self._close()  # (libcurl may not ask again once it has the size it was told)
                self._index, self._offset = self._index + 1, 0
            if data:
                return data
        return b""

    def seek(self, offset: int, origin: int) -> int:
        """libcurl's seek callback: only back to the start is needed (a 401 challenge's retry)."""
        if offset == 0 and origin == 0:
            self.rewind()
            return 0  # CURL_SEEKFUNC_OK
        return 2  # CURL_SEEKFUNC_CANTSEEK

    def _close(self) -> None:
        # Files opened here are closed; streams given are the caller's to close.
        if self._file is not None and isinstance(self.parts[self._index], Path):
            self._file.close()
        self._file = None


class StoreClient:
    """Requests to one store's URLs, on a keep-alive connection per thread."""

    def __init__(self, user: str = "", password: str = "", agent: str = "geoclaims") -> None:
        self.user = user
        self.password = password
        self.agent = agent
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[Any] = []
        self._taken: set[Any] = set()  # multi handles with an unfinished answer
        self._spare: set[Any] = set()  # of those, the ones made for one answer only

    def _multi(self) -> pycurl.CurlMulti:
        """This thread's multi handle (its connections kept between requests), taken until the
        answer ends; while an answer read in another thread (a streamed body) still holds it,
        a multi handle of the answer's own, closed with it."""
        multi = getattr(self._local, "multi", None)
        with self._lock:
            if multi is None:
                multi = self._local.multi = pycurl.CurlMulti()
                self._all.append(multi)
            if multi in self._taken:
                multi = pycurl.CurlMulti()
                self._spare.add(multi)
            self._taken.add(multi)
        return multi

    def _give_back(self, multi: pycurl.CurlMulti) -> None:
        with self._lock:
            self._taken.discard(multi)
            spare = multi in self._spare
            self._spare.discard(multi)
        if spare:
            multi.close()

    def _easy(self) -> pycurl.Curl:
        """This thread's idle handle (its connection stays open between requests)."""
        idle: list[pycurl.Curl] = self._local.__dict__.setdefault("idle", [])
        if idle:
            easy = idle.pop()
            easy.reset()
        else:
            easy = pycurl.Curl()
            with self._lock:
                self._all.append(easy)
        easy.setopt(pycurl.NOSIGNAL, 1)
        easy.setopt(pycurl.USERAGENT, self.agent)
        easy.setopt(pycurl.CONNECTTIMEOUT_MS, int(CONNECT_TIMEOUT * 1000))
        easy.setopt(pycurl.ACCEPT_ENCODING, "")  # gzip etc. offered, undone while reading
        easy.setopt(pycurl.TCP_NODELAY, 1)
        if self.user:
            easy.setopt(pycurl.HTTPAUTH, pycurl.HTTPAUTH_ANY)  # Basic or Digest (Virtuoso)
            easy.setopt(pycurl.USERPWD, f"{self.user}:{self.password}")
        return easy

    def _release(self, easy: pycurl.Curl, multi: pycurl.CurlMulti) -> None:
        self._local.__dict__.setdefault("idle", []).append(easy)
        self._give_back(multi)

    def _discard(self, easy: pycurl.Curl, multi: pycurl.CurlMulti) -> None:
        # An unfinished transfer: its connection is in an unknown state, so not reused.
        self._give_back(multi)
        with self._lock:
            if easy in self._all:
                self._all.remove(easy)
        easy.close()

    def open(
        self,
        method: str,
        url: str,
        *,
        params: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
        body: bytes | Upload | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Response:
        """Send a request; return when the answer's headers are in (its body follows).

        A body given as an `Upload` is read from its parts (bytes, files) as it is sent."""
        if params:
            url = url + ("&" if "?" in url else "?") + urlencode(params)
        easy = self._easy()
        multi = self._multi()
        response = Response(self, easy, url, multi)
        easy.setopt(pycurl.URL, url)
        lines = [f"{k}: {v}" for k, v in (headers or {}).items()]
        lines.append("Expect:")  # no 100-continue round trip for large bodies
        if method == "GET":
            easy.setopt(pycurl.HTTPGET, 1)
        elif method == "POST":
            easy.setopt(pycurl.POST, 1)
        else:
            easy.setopt(pycurl.CUSTOMREQUEST, method)
        if isinstance(body, Upload):
            if method != "POST":
                easy.setopt(pycurl.POST, 1)
                easy.setopt(pycurl.CUSTOMREQUEST, method)
            body.rewind()
            easy.setopt(pycurl.POSTFIELDSIZE_LARGE, body.size)
            easy.setopt(pycurl.READFUNCTION, body.read)
            easy.setopt(pycurl.SEEKFUNCTION, body.seek)  # to send it again after a challenge
        elif body is not None:
            if method != "POST":
                easy.setopt(pycurl.POST, 1)
                easy.setopt(pycurl.CUSTOMREQUEST, method)
            easy.setopt(pycurl.POSTFIELDSIZE_LARGE, len(body))
            easy.setopt(pycurl.POSTFIELDS, body)  # pycurl keeps a reference: no copy
        elif method == "POST":
            easy.setopt(pycurl.POSTFIELDSIZE, 0)
        if method == "HEAD":
            easy.setopt(pycurl.NOBODY, 1)
        easy.setopt(pycurl.HTTPHEADER, lines)
        easy.setopt(pycurl.TIMEOUT_MS, int(timeout * 1000) if timeout else 0)
        easy.setopt(pycurl.HEADERFUNCTION, response._header)
        easy.setopt(pycurl.WRITEFUNCTION, response._write)
        multi.add_handle(easy)
        try:
            response.wait_headers()
        except BaseException:
            response.close()
            raise
        return response

    def fetch(self, method: str, url: str, **kwargs: Any) -> tuple[Response, bytes]:
        """`open` and read the whole body."""
        response = self.open(method, url, **kwargs)
        return response, response.read()

    def close(self) -> None:
        """Close every handle and connection (of every thread)."""
        with self._lock:
            handles, self._all = self._all, []
        for handle in handles:
            handle.close()
