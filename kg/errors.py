"""One exception tree for the library, the CLI and the web app.

KGError                      exit 1, HTTP 500
 +-- ConfigError             exit 2, HTTP 500   a bad setting
 +-- DataError               exit 3, HTTP 400   a bad input file; names file and line
 |    +-- DataErrors         exit 3, HTTP 400   several of them, one `file:line: message` a line
 |    +-- ValidationError    exit 3, HTTP 400   the data loads but breaks a rule (SHACL, INTEROP)
 +-- QueryError              exit 4, HTTP 400   a malformed query or update (parser message kept)
 |    +-- QueryTooComplex    exit 4, HTTP 400   nested or chained past the limits (before parsing)
 |    +-- ServiceRefused     exit 4, HTTP 400   SERVICE to an endpoint not on the allowlist
 +-- BadParameter            exit 4, HTTP 400   a request parameter outside what it may be
 +-- NotAcceptable           exit 4, HTTP 406   no offered format matches Accept / format=
 +-- NotFound                exit 5, HTTP 404   an unknown graph, resource or named query
 +-- QueryTimeout            exit 6, HTTP 503   a query ran past the configured timeout
 +-- ResultTooLarge          exit 6, HTTP 413   a result exceeded the configured cap
 +-- StoreError              exit 7, HTTP 502   the store (embedded or remote) failed
 +-- Unauthorized            exit 8, HTTP 401   no token where one is needed
 +-- Forbidden               exit 8, HTTP 403   a wrong token, or writes switched off
"""

from __future__ import annotations


class KGError(Exception):
    """Base of every error geoclaims raises on purpose."""

    exit_code = 1
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(KGError):
    """A setting has a value that cannot be used."""

    exit_code = 2


class DataError(KGError):
    """An input file is wrong; the message starts with `file:line:` where a line is known."""

    exit_code = 3
    http_status = 400

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        where = ""
        if file is not None:
            where = f"{file}:{line}: " if line is not None else f"{file}: "
        super().__init__(where + message)
        self.file = file
        self.line = line
        self.detail = message


class DataErrors(DataError):
    """Several bad places in the input files: every DataError of one run, one per line."""

    def __init__(self, errors: list[DataError]) -> None:
        KGError.__init__(self, "\n".join(e.message for e in errors))
        self.errors = errors
        self.file = errors[0].file if errors else None
        self.line = errors[0].line if errors else None
        self.detail = self.message


class ValidationError(DataError):
    """The data parses but breaks a rule of the model (SHACL, spans, references, INTEROP)."""


class QueryError(KGError):
    """A query or update that the parser rejects, with the parser's message."""

    exit_code = 4
    http_status = 400


class QueryTooComplex(QueryError):
    """A query nested or chained deeper than the parser's stack allows, refused before parsing."""


class ServiceRefused(QueryError):
    """A SERVICE clause whose endpoint is not allowed (kg.service); nothing was sent to it."""


class BadParameter(KGError):
    """A request parameter (a page number, a filter) that is not one of its allowed values."""

    exit_code = 4
    http_status = 400


class NotAcceptable(KGError):
    """No offered result format matches what the client accepts."""

    exit_code = 4
    http_status = 406


class NotFound(KGError):
    """Something asked for by name does not exist."""

    exit_code = 5
    http_status = 404


class QueryTimeout(KGError):
    """A query ran longer than the configured timeout and was stopped."""

    exit_code = 6
    http_status = 503


class ResultTooLarge(KGError):
    """A result grew past the configured cap."""

    exit_code = 6
    http_status = 413


class StoreError(KGError):
    """The store failed (I/O, or a remote store answered with an error)."""

    exit_code = 7
    http_status = 502


class Unauthorized(KGError):
    """A write was attempted without credentials."""

    exit_code = 8
    http_status = 401


class Forbidden(KGError):
    """A write was attempted with wrong credentials, or writes are switched off."""

    exit_code = 8
    http_status = 403
