"""`kg import`: one event-data file into one named graph, streamed, checked, loaded all at once.

The file is read a row at a time (zipped or gzipped or plain) and converted to N-Triples in a
temporary file beside nothing else in memory, so memory stays flat whatever the file's size. A
row that breaks the published layout stops the import with its file and line before the store is
touched (or, with `skip_bad`, is skipped, counted and reported). Only then is the file's graph
replaced: dropped and bulk-loaded on the embedded store under the writer lock (a failed load
drops it again: never half a graph), or PUT in one Graph Store request on a remote store.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from kg import __version__
from kg.config import Config
from kg.errors import DataError, DataErrors
from kg.events import gdelt, nt, polecat
from kg.events.resolve import Resolver
from kg.events.rows import Filters, RowError
from kg.progress import interactive, progress
from kg.store import Store

KINDS = {
    "gdelt-events": ("gdelt", gdelt.EventRows, gdelt.HOME),
    "gdelt-mentions": ("gdelt", gdelt.MentionRows, gdelt.HOME),
    "polecat": ("polecat", polecat.PolecatRows, polecat.HOME),
}
MAX_ERRORS = 20  # reported one a line; an import without --skip-bad stops at this many
FLUSH_LINES = 20_000  # lines buffered before they are written to the temporary file


@dataclass
class ImportReport:
    """What one file's import did."""

    kind: str
    file: str
    graph: str = ""
    imported: int = 0
    skipped: int = 0  # left out by a filter
    bad: int = 0  # malformed, skipped with --skip-bad
    triples: int = 0
    seconds: float = 0.0
    sha256: str = ""
    errors: list[DataError] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.file}: imported {self.imported}, skipped {self.skipped}, bad {self.bad}, "
            f"{self.seconds:.1f} s ({self.triples} triples -> {self.graph})"
        )


def graph_iri(config: Config, kind: str, path: Path) -> str:
    """The graph of a file: `{base}events/{source}/file/{name without .zip/.gz}`."""
    name = path.name
    for suffix in (".zip", ".gz"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return f"{config.base_iri}events/{KINDS[kind][0]}/file/{nt.segment(name)}"


@contextmanager
def _open_lines(path: Path) -> Iterator[IO[bytes]]:
    """The file's bytes: the single member of a zip (as GDELT publishes), gunzipped, or plain."""
    if not path.is_file():
        raise DataError("no such file", str(path))
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise DataError(f"a zip of {len(members)} files: expected one", str(path))
            with archive.open(members[0]) as member:
                yield member
        return
    with open(path, "rb") as raw:
        if raw.read(2) == b"\x1f\x8b":
            raw.seek(0)
            with gzip.open(raw) as unzipped:
                yield unzipped  # type: ignore[misc]
            return
        raw.seek(0)
        yield raw


def _count_lines(path: Path) -> int:
    with _open_lines(path) as stream:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))


class _Hashing(io.RawIOBase):
    """A readable stream that also hashes what goes through it (the file's SHA-256)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.sha = raw, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        data = self.raw.read(len(target))
        self.sha.update(data)
        target[: len(data)] = data
        return len(data)


class _Counting(io.RawIOBase):
    """A readable stream that moves a progress bar by the bytes read from it."""

    def __init__(self, raw: IO[bytes], bar: Any) -> None:
        self.raw, self.bar = raw, bar

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        data = self.raw.read(len(target))
        target[: len(data)] = data
        self.bar.advance(len(data))
        return len(data)

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.raw.seek(offset, whence)  # (a remote store's upload measures and rewinds)

    def tell(self) -> int:
        return self.raw.tell()


def convert(
    config: Config,
    kind: str,
    path: Path,
    out: IO[str],
    resolver: Resolver,
    filters: Filters,
    *,
    skip_bad: bool = False,
    previous: tuple[str, str] | None = None,
) -> ImportReport:
    """Write the N-Triples of one file's graph to `out` (DataErrors if a row is bad).

    `previous` is (SHA-256, start time) of the last import of this graph: the same file keeps
    its start time, so importing it again gives the same graph.
    """
    source, rows_class, home = KINDS[kind]
    report = ImportReport(kind, str(path), graph_iri(config, kind, path))
    g = f"<{report.graph}>"
    file_node, activity = f"<{report.graph}/file>", f"<{report.graph}/import>"
    converter = rows_class(config.base_iri, file_node, resolver, filters)
    clock = time.monotonic()
    total = _count_lines(path) if interactive() else None
    buffer: list[str] = []
    with _open_lines(path) as raw, progress(f"kg import {source}", total, "row") as bar:
        hashing = _Hashing(raw)
        lines = io.BufferedReader(hashing, 1 << 20)
        positions = None
        width = len(rows_class.columns)
        for number, data in enumerate(lines, 1):
            bar.advance()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as err:
                _bad(report, path, number, f"not UTF-8 ({err.reason} at byte {err.start})")
                if not skip_bad and len(report.errors) >= MAX_ERRORS:
                    break
                continue
            fields = text.rstrip("\r\n").split("\t")
            if kind == "polecat" and positions is None:
                try:
                    positions = polecat.header_positions(fields)
                except RowError as err:
                    raise DataError(str(err), str(path), number) from None
                width = len(fields)
                continue
            if len(fields) == 1 and not fields[0]:
                continue  # a blank line (a trailing newline of some exports)
            if len(fields) > width and not any(fields[width:]):
                fields = fields[:width]  # excess empty tabs at the end (some POLECAT files)
            if len(fields) != width:
                _bad(report, path, number, f"{len(fields)} columns, expected {width}")
            else:
                if positions is not None:
                    fields = [fields[i] for i in positions]
                mark = len(buffer)
                try:
                    kept = converter.convert(fields, buffer)
                except RowError as err:
                    del buffer[mark:]
                    converter.nodes.seen.clear()  # descriptions were dropped with the row
                    _bad(report, path, number, str(err))
                else:
                    if kept:
                        report.imported += 1
                    else:
                        report.skipped += 1
            if report.errors and not skip_bad and len(report.errors) >= MAX_ERRORS:
                break
            if len(buffer) >= FLUSH_LINES:
                report.triples += len(buffer)
                out.write("\n".join(buffer))
                out.write("\n")
                buffer.clear()
        if kind == "polecat" and positions is None:
            raise DataError("empty file: no POLECAT header", str(path))
        if report.errors and not skip_bad:
            raise DataErrors(report.errors)  # before the store is touched
        sha = hashing.sha.hexdigest()
    started = previous[1] if previous and previous[0] == sha else _now()
    P, C = nt.P, nt.CLASS
    buffer += [
        f"{g} {P['type']} {C['EventDataGraph']} .",
        f"{g} {P['generatedBy']} {activity} .",
        f"{g} {P['derivedFrom']} {file_node} .",
        f"{g} {P['source']} <{home}> .",
        f"{file_node} {P['type']} {C['EventFile']} .",
        f"{file_node} {P['type']} {C['prov:Entity']} .",
        f"{file_node} {P['name']} {nt.string(path.name)} .",
        f"{file_node} {P['sha256']} {nt.string(sha)} .",
        f"{file_node} {P['source']} <{home}> .",
        f"{activity} {P['type']} {C['EventImport']} .",
        f"{activity} {P['type']} {C['prov:Activity']} .",
        f"{activity} {P['used']} {file_node} .",
        f"{activity} {P['softwareVersion']} {nt.string(__version__)} .",
        f"{activity} {P['startedAt']} {nt.typed(started, 'dateTime')} .",
        f"{activity} {P['skippedRows']} {nt.typed(str(report.bad), 'integer')} .",
    ]
    buffer += [f"{activity} {P['importFilter']} {nt.string(d)} ." for d in filters.describe()]
    report.triples += len(buffer)
    out.write("\n".join(buffer) + "\n")
    report.seconds = time.monotonic() - clock
    report.sha256 = sha
    return report


def _bad(report: ImportReport, path: Path, line: int, message: str) -> None:
    report.bad += 1
    if len(report.errors) < MAX_ERRORS:
        report.errors.append(DataError(message, str(path), line))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _previous(store: Store, graph: str) -> tuple[str, str] | None:
    """(SHA-256, start time) of the file this graph was last imported from, if there was one."""
    found = store.query(
        f"""SELECT ?sha ?t WHERE {{ GRAPH <{graph}> {{
              <{graph}/import> <{nt.PROV}startedAtTime> ?t .
              <{graph}/file> <{nt.SCHEMA}sha256> ?sha
            }} }}""",
        union=False,
    )
    for row in found:
        return row["sha"].value, row["t"].value.replace("+00:00", "Z")
    return None


def load(store: Store, graph: str, ntriples: Path) -> None:
    """Replace `graph` with the triples of the file, all of them or none."""
    if not interactive():
        store.load_graph(graph, ntriples)
        return
    # The bytes read so far move a bar (Oxigraph's bulk loader reports nothing).
    with open(ntriples, "rb") as raw, progress("loading", ntriples.stat().st_size, "B") as bar:
        store.load_graph(graph, _Counting(raw, bar))


def import_file(
    config: Config,
    store: Store,
    kind: str,
    path: str | Path,
    filters: Filters | None = None,
    *,
    skip_bad: bool = False,
) -> ImportReport:
    """Import one file of `kind` (gdelt-events, gdelt-mentions, polecat) into its graph."""
    if kind not in KINDS:
        raise DataError(f"unknown kind of event file {kind!r} (expected {', '.join(KINDS)})")
    path = Path(path)
    filters = filters or Filters()
    clock = time.monotonic()
    resolver = Resolver.from_store(store)
    graph = graph_iri(config, kind, path)
    previous = _previous(store, graph)
    scratch = Path(tempfile.mkdtemp(prefix="kg-import-"))
    try:
        target = scratch / "graph.nt"
        with open(target, "w", encoding="utf-8", newline="\n") as out:
            report = convert(
                config, kind, path, out, resolver, filters, skip_bad=skip_bad, previous=previous
            )
        load(store, report.graph, target)
    finally:
        for leftover in scratch.iterdir():
            leftover.unlink()
        os.rmdir(scratch)
    report.seconds = time.monotonic() - clock
    return report


def refresh_search(config: Config) -> None:
    """Bring the site's search index in step with the store after an import."""
    from kg import search

    search.refresh(config)
