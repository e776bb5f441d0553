"""One error shape for every failure: plain text for machines, a small HTML page for browsers.

Text shape (pinned by tests/test_protocol.py): the first line is `<status> <reason>`, then a blank
line, then the message (e.g. the SPARQL parser's, with its line:column position):

    400 Bad Request

    error at 1:8: expected one of ...
"""

from __future__ import annotations

from html import escape
from http import HTTPStatus

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from kg.errors import KGError, Unauthorized
from kg.formats import prefers_html

REALM = 'Bearer realm="geoclaims"'


TEXT = "text/plain; charset=utf-8"


def _title(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Error"


def error_text(status: int, message: str) -> tuple[str, bytes]:
    """The status line and body of the text shape (also sent by kg.server without Flask)."""
    title = _title(status)
    return title, f"{title}\n\n{message}\n".encode()


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The one error shape, HTML if the client is a browser, else text/plain."""
    if prefers_html(request.headers.get("Accept")):
        title = _title(status)
        body = (
            f"<!doctype html>\n<html lang=en><meta charset=utf-8><title>{title}</title>\n"
            f"<h1>{title}</h1>\n<pre>{escape(message)}</pre>\n</html>\n"
        )
        response = Response(body, status=status, content_type="text/html; charset=utf-8")
    else:
        response = Response(error_text(status, message)[1], status=status, content_type=TEXT)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _kg_error(err: KGError) -> Response:
    headers = {"WWW-Authenticate": REALM} if isinstance(err, Unauthorized) else None
    return error_response(err.http_status, err.message, headers)


def _http_error(err: HTTPException) -> Response:
    # Keep the headers the protocol needs (Allow on 405, ...) but not the HTML content type.
    headers = {k: v for k, v in err.get_headers() if k.lower() != "content-type"}
    return error_response(err.code or 500, err.description or "", headers)


def register(app: Flask) -> None:
    """Route every error through the one shape."""
    app.register_error_handler(KGError, _kg_error)
    app.register_error_handler(HTTPException, _http_error)
