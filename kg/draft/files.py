"""Reading texts and writing article folders: all or nothing, never over a folder unasked.

A text must be UTF-8 and hold at least one sentence; the folder (article.txt byte for byte as
read, article.yaml, claims.yaml) is written into a hidden sibling and renamed into place, so a
failure leaves nothing behind, and an existing folder is replaced only with `force`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kg.draft.emit import article_yaml, claims_yaml
from kg.draft.knowledge import Knowledge
from kg.draft.link import slug
from kg.draft.model import Doc, Meta
from kg.draft.pipeline import draft
from kg.errors import DataError
from kg.ingest.ids import check_id
from kg.ingest.yamlfile import YMap, load_yaml

META_KEYS = {
    "id",
    "headline",
    "publisher",
    "url",
    "date",
    "datePublished",
    "anchorDate",
    "language",
}


def read_text(path: Path) -> tuple[str, bytes]:
    """The text of a file as stored (UTF-8, nothing normalised) and its bytes."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DataError(f"cannot read: {err.strerror}", str(path)) from err
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DataError(
            f"not UTF-8 (byte {err.start}: {data[err.start : err.start + 1]!r})", str(path)
        ) from err
    if not text.strip():
        raise DataError("the text is empty", str(path))
    return text, data


def _date(value: object, what: str, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DataError(f"{what}: expected a date YYYY-MM-DD, got {value!r}", where) from None


def make_meta(aid: str, values: dict[str, object], where: str) -> Meta:
    """Metadata from given values (a sidecar file, CLI options), checked."""
    unknown = set(values) - META_KEYS
    if unknown:
        raise DataError(
            f"unknown metadata key(s) {sorted(unknown)} (expected {sorted(META_KEYS)})", where
        )
    check_id(aid, where, 1)
    date = _date(
        values.get("anchorDate") or values.get("date") or values.get("datePublished"), "date", where
    )
    text = {
        k: (str(v) if v is not None else None)
        for k, v in values.items()
        if k in ("headline", "publisher", "url", "language")
    }
    url = text.get("url")
    if url and not url.startswith(("http://", "https://")):
        raise DataError(f"url: expected an http(s) URL, got {url!r}", where)
    return Meta(
        aid, text.get("headline"), text.get("publisher"), url, date, text.get("language") or "en"
    )


def meta_from_yaml(path: Path, aid: str) -> Meta:
    """The metadata of a curated article.yaml (for evaluation)."""
    data = load_yaml(path, str(path))
    if not isinstance(data, YMap):
        raise DataError("expected a mapping", str(path))
    publisher = data.get("publisher")
    return make_meta(
        aid,
        {
            "headline": data.get("headline"),
            "publisher": None if publisher is None else str(publisher),
            "url": data.get("url"),
            "date": data.get("anchorDate") or data.get("datePublished"),
            "language": data.get("language"),
        },
        str(path),
    )


def review_status(folder: Path) -> str:
    """'drafted' or 'reviewed' (absent or unreadable: reviewed, the safe reading)."""
    try:
        data = yaml.safe_load((folder / "article.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return "reviewed"
    if isinstance(data, dict) and data.get("reviewStatus") == "drafted":
        return "drafted"
    return "reviewed"


def write_folder(doc: Doc, folder: Path, *, force: bool = False, raw: bytes | None = None) -> Path:
    """Write the article folder all at once; refuse an existing one unless `force`."""
    if folder.exists() and not force:
        status = review_status(folder)
        raise DataError(
            f"{folder} exists and holds a {status} article: left untouched (--force replaces it)"
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = folder.parent / f".{folder.name}.draft-{os.getpid()}"
    old = folder.parent / f".{folder.name}.old-{os.getpid()}"
    if fresh.exists():
        shutil.rmtree(fresh, ignore_errors=True)
    try:
        fresh.mkdir()
        (fresh / "article.txt").write_bytes(raw if raw is not None else doc.text.encode("utf-8"))
        (fresh / "article.yaml").write_text(article_yaml(doc), encoding="utf-8")
        (fresh / "claims.yaml").write_text(claims_yaml(doc), encoding="utf-8")
        if folder.exists():
            folder.rename(old)
        fresh.rename(folder)
    except OSError as err:
        if old.exists() and not folder.exists():
            old.rename(folder)
        raise DataError(f"cannot write: {err.strerror}", str(folder)) from err
    finally:
        for scratch in (fresh, old):
            if scratch.exists():  # (most often neither is left: no system calls for nothing)
                shutil.rmtree(scratch, ignore_errors=True)
    return folder


def draft_file(path: Path, meta: Meta, kb: Knowledge, out: Path, *, force: bool = False) -> Doc:
    """Draft one text file into out/{id}/; DataError (nothing written) on bad input."""
    text, raw = read_text(path)
    if meta.headline is not None and meta.headline not in text:
        raise DataError(f"headline not found in the text: {meta.headline!r}", str(path))
    folder = out / meta.aid
    if folder.exists() and not force:
        write_folder(Doc(text, meta), folder)  # raises the message for an existing folder
    try:
        doc = draft(text, meta, kb)
    except DataError as err:
        raise DataError(err.detail, str(path)) from None
    write_folder(doc, folder, force=force, raw=raw)
    return doc


def sidecar(path: Path) -> dict[str, object]:
    """Metadata beside a text: NAME.yaml or NAME.json (optional)."""
    for suffix in (".yaml", ".yml", ".json"):
        meta = path.with_suffix(suffix)
        if meta.exists():
            try:
                raw = meta.read_text(encoding="utf-8")
                data = json.loads(raw) if suffix == ".json" else yaml.safe_load(raw)
            except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as err:
                raise DataError(f"cannot read the metadata: {err}", str(meta)) from err
            if data is None:
                return {}
            if not isinstance(data, dict):
                raise DataError("expected a mapping of metadata", str(meta))
            return data
    return {}


@dataclass
class BatchResult:
    drafted: list[tuple[str, int]] = field(default_factory=list)  # (id, claims)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, message)


def batch_items(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise DataError("not a directory", str(folder))
    return sorted(p for p in folder.iterdir() if p.suffix == ".txt" and p.is_file())


def draft_batch(
    paths: list[Path], kb: Knowledge, out: Path, *, force: bool = False
) -> Iterator[tuple[Path, Doc | None, str | None]]:
    """Draft each text in turn, going on past a bad one: yields (path, doc or None, error)."""
    for path in paths:
        try:
            values = sidecar(path)
            aid = str(values.pop("id", None) or slug(path.stem))
            doc = draft_file(path, make_meta(aid, values, str(path)), kb, out, force=force)
        except DataError as err:
            yield path, None, err.message
            continue
        yield path, doc, None
