"""`kg check`: compare every claim's proposition with the reference facts and record verdicts.

- `check_store(store, config)` judges every claim in the store, a batch of articles at a time
  (memory does not grow with the store), and replaces the review graph `B graph/reviews` with
  one schema:ClaimReview per claim, bulk-loaded (called by `kg build`); `run_checks` is the same
  returning every verdict.
- `check(config)` / `check_run(config)` open the configured store under the writer's lock and
  do the same (the `kg check` command).
- `verdicts_for_article(store, article_iri)` reads the stored verdicts back for one article,
  with spans, reasons and the reference facts' sources (the article page).
The rules live in kg/check/rules/, one module per kind of comparison.
"""

from __future__ import annotations

from kg.check.engine import CheckRun, check_store, reviews_graph, run_checks
from kg.check.report import ArticleVerdict, counts, format_table, verdicts_for_article
from kg.check.verdict import Verdict
from kg.config import Config


def check_run(config: Config, *, keep: int | None = None) -> CheckRun:
    """Run the checks on the configured store and store the verdicts; return the counts and
    (the first `keep`, or all) verdicts."""
    from pathlib import Path

    from kg.errors import NotFound
    from kg.lock import writer

    if not (config.remote or config.in_memory or Path(config.data_dir).is_dir()):
        raise NotFound(f"no store at {config.data_dir}: run `kg build` first")
    # The writer's lock: a running `kg serve` does not read while the reviews are replaced.
    with writer(config) as store:
        return check_store(store, config, keep=keep)


def check(config: Config) -> list[Verdict]:
    """Run the checks on the configured store and store the verdicts."""
    return check_run(config).verdicts


__all__ = [
    "ArticleVerdict",
    "CheckRun",
    "Verdict",
    "check",
    "check_run",
    "check_store",
    "counts",
    "format_table",
    "reviews_graph",
    "run_checks",
    "verdicts_for_article",
]
