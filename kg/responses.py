"""A remote store's HTTP answers as pyoxigraph results, parsed while the response streams in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import pyoxigraph as ox

from kg.client import Response
from kg.errors import StoreError

# What to ask a remote store for, by query form: formats pyoxigraph parses as they stream.
QUERY_ACCEPT = {
    "SELECT": "application/sparql-results+json, application/sparql-results+xml;q=0.9",
    "ASK": "application/sparql-results+json, application/sparql-results+xml;q=0.9",
    "CONSTRUCT": "application/n-triples, text/turtle;q=0.9",
    "DESCRIBE": "application/n-triples, text/turtle;q=0.9",
}
# Used when the query form cannot be told: the response's Content-Type decides.
ANY_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"


class RemoteTriples:
    """The triples of a remote CONSTRUCT or DESCRIBE, parsed as they stream in."""

    def __init__(self, quads: Iterator[ox.Quad], response: Response) -> None:
        self._quads = quads
        self._response = response

    def __iter__(self) -> RemoteTriples:
        return self

    def __next__(self) -> ox.Triple:
        try:
            quad = next(self._quads)
        except StopIteration:
            self._response.close()
            raise
        except StoreError:
            self._response.close()
            raise
        except (SyntaxError, OSError) as err:
            self._response.close()
            raise StoreError(f"bad RDF from the remote store: {err}") from err
        return quad.triple

    def serialize(self, output: IO[bytes] | None = None, format: ox.RdfFormat | None = None) -> Any:
        """Write the triples (N-Triples by default), like `QueryTriples.serialize`."""
        return ox.serialize(self, output, format or ox.RdfFormat.N_TRIPLES)


def media_type(response: Response) -> str:
    """The response's media type, with other engines' names for ours (Virtuoso's N-Triples)."""
    media = response.content_type
    return {"text/plain": "application/n-triples", "text/rdf+n3": "text/turtle"}.get(media, media)


def parse_response(response: Response) -> Any:
    """pyoxigraph results from a streaming response, chosen by its Content-Type."""
    media = media_type(response)
    results_format = ox.QueryResultsFormat.from_media_type(media) if media else None
    try:
        if results_format is not None:
            return ox.parse_query_results(response.raw(), results_format)
        rdf_format = ox.RdfFormat.from_media_type(media) if media else None
        if rdf_format is None:
            response.close()
            raise StoreError(f"the remote store answered in an unexpected format {media!r}")
        return RemoteTriples(iter(ox.parse(response.raw(), rdf_format)), response)
    except StoreError:
        response.close()
        raise
    except (SyntaxError, OSError, ValueError) as err:
        response.close()
        raise StoreError(f"bad results from the remote store: {err}") from err
