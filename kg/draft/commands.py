"""What `kg draft` does, for the CLI to call: one text, a batch, or the evaluation table."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from kg.config import Config
from kg.draft.evaluate import evaluate_folder, table
from kg.draft.files import batch_items, draft_batch, draft_file, make_meta, read_text
from kg.draft.knowledge import load_knowledge
from kg.draft.link import slug
from kg.errors import DataError
from kg.progress import progress


def single(
    config: Config,
    text: str,
    aid: str | None,
    values: dict[str, str | None],
    out: Path,
    *,
    force: bool = False,
) -> str:
    """Draft one text file (or standard input with '-') and say what was written."""
    given = {k: v for k, v in values.items() if v is not None}
    if text == "-":
        if not aid:
            raise DataError("--id is needed when the text comes from standard input")
        path = _stdin_file()
    else:
        path = Path(text)
        read_text(path)  # a clear error for a missing, non-UTF-8 or empty file, before anything
    meta = make_meta(aid or slug(Path(text).stem), given, text)
    kb = load_knowledge(config.sources, config.base_iri)
    try:
        doc = draft_file(path, meta, kb, out, force=force)
    finally:
        if text == "-":
            path.unlink(missing_ok=True)
    props = len({id(c.proposition) for c in doc.claims})
    return (
        f"drafted {meta.aid}: {len(doc.claims)} claims, {props} propositions, "
        f"{len(doc.stubs)} new names to confirm -> {out / meta.aid}"
    )


def _stdin_file() -> Path:
    import tempfile

    data = sys.stdin.buffer.read()
    with tempfile.NamedTemporaryFile(prefix="kg-draft-", suffix=".txt", delete=False) as handle:
        handle.write(data)
    return Path(handle.name)


def batch(
    config: Config, folder: Path, out: Path, *, force: bool = False
) -> tuple[str, list[tuple[str, str]]]:
    """Draft every *.txt of a folder, going on past bad files: (summary line, failures)."""
    paths = batch_items(folder)
    kb = load_knowledge(config.sources, config.base_iri)
    failures: list[tuple[str, str]] = []
    claims = drafted = 0
    started = time.monotonic()
    with progress("kg draft", total=len(paths), unit="article") as bar:
        for path, doc, error in draft_batch(paths, kb, out, force=force):
            if doc is None:
                failures.append((str(path), error or ""))
            else:
                drafted += 1
                claims += len(doc.claims)
            bar.note(path.name)
            bar.advance()
    seconds = time.monotonic() - started
    rate = drafted / seconds if seconds > 0 else 0.0
    summary = (
        f"drafted {drafted} of {len(paths)} articles ({claims} claims) into {out} "
        f"in {seconds:.1f} s ({rate:.0f} articles/s); {len(failures)} failed"
    )
    return summary, failures


def evaluate(config: Config, folders: list[Path], extra: list[Path]) -> str:
    """The evaluation table over curated article folders (default: the seed and the test ones)."""
    if not folders:
        seed = config.source / "data" / "articles" / "belarus-protests-2020"
        tests = config.source / "tests" / "data" / "draft"
        folders = [seed] if seed.is_dir() else []
        folders += (
            sorted(p for p in tests.iterdir() if (p / "claims.yaml").exists())
            if tests.is_dir()
            else []
        )
        if not extra and (tests / "entities.yaml").exists():
            extra = [tests / "entities.yaml"]
    if not folders:
        raise DataError("no curated article folders to evaluate (give FOLDER arguments)")
    scores = []
    for folder in folders:
        for name in ("article.txt", "article.yaml", "claims.yaml"):
            if not (folder / name).exists():
                raise DataError(f"{name} missing: not a curated article folder", str(folder))
        scores.append(evaluate_folder(folder, config, extra))
    return table(scores)
