"""HTTP content negotiation around the library's formats: result responses, gzip, CORS, Vary."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

from flask import Response, request

from kg.executor import Result
from kg.web import state

GZIP_MIN = 1400  # below about one packet, compressing costs more than it saves
COMPRESSIBLE = ("text/", "application/")
CORS_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
CORS_HEADERS = "Accept, Authorization, Content-Type"


def result_response(result: Result, status: int = 200) -> Response:
    """A response carrying a query answer, whole or streamed as the executor produced it."""
    body: Iterable[bytes] = [result.body] if result.body is not None else result.chunks
    response = Response(body, status=status, content_type=result.format.content_type)
    response.vary.add("Accept")
    max_age = state().config.cache_max_age
    if max_age:
        response.cache_control.max_age = max_age
        response.cache_control.public = True
    return response


class _Gzip:
    """Compress a stream of chunks lazily; closing it closes the source (which may kill a child)."""

    def __init__(self, source: Iterable[bytes]) -> None:
        self.source = source
        self.compressor = zlib.compressobj(5, zlib.DEFLATED, 31)

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.source:
            data = self.compressor.compress(chunk)
            if data:
                yield data
        yield self.compressor.flush()

    def close(self) -> None:
        close = getattr(self.source, "close", None)
        if close is not None:
            close()


def _gzip(response: Response) -> None:
    if (
        response.status_code != 200
        or request.method == "HEAD"
        or "Content-Encoding" in response.headers
        or not (response.mimetype or "").startswith(COMPRESSIBLE)
    ):
        return
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] <= 0:
        return
    if response.is_streamed:
        response.response = _Gzip(response.response)
        response.headers.pop("Content-Length", None)
    else:
        data = response.get_data()
        if len(data) < GZIP_MIN:
            return
        response.set_data(zlib.compress(data, 5, 31))
    response.headers["Content-Encoding"] = "gzip"


# Response headers a browser script may read (CORS hides all but a few simple ones otherwise).
EXPOSED = "Content-Type, Location, Link, ETag, WWW-Authenticate"


def _cors(response: Response) -> None:
    origin = request.headers.get("Origin")
    if not origin:
        return
    allowed = state().config.cors_origins.strip()
    if allowed == "*":
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin in {o.strip() for o in allowed.split(",") if o.strip()}:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.vary.add("Origin")
    else:
        return
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
        response.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", CORS_HEADERS
        )
        response.headers["Access-Control-Max-Age"] = "86400"
    else:
        response.headers["Access-Control-Expose-Headers"] = EXPOSED


def finish(response: Response) -> Response:
    """After every request: CORS headers, then gzip when the client asks for it."""
    _cors(response)
    _gzip(response)
    return response
