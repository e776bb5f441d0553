"""`kg check`: compare every claim's proposition with the reference facts and record verdicts.

- `run_checks(store, config)` judges every claim in the store and replaces the review graph
  `B graph/reviews` with one schema:ClaimReview per claim (called by `kg build`).
- `check(config)` opens the configured store and does the same (the `kg check` command).
- `verdicts_for_article(store, article_iri)` reads the stored verdicts back for one article,
  with spans, reasons and the reference facts' sources (the article page).
The rules live in kg/check/rules/, one module per kind of comparison.
"""

from __future__ import annotations

from kg.check.engine import reviews_graph, run_checks
from kg.check.report import ArticleVerdict, counts, format_table, verdicts_for_article
from kg.check.verdict import Verdict
from kg.config import Config


def check(config: Config) -> list[Verdict]:
    """Run the checks on the configured store and store the verdicts."""
    from pathlib import Path

    from kg.errors import NotFound
    from kg.store import open_store

    if not (config.remote or config.in_memory or Path(config.data_dir).is_dir()):
        raise NotFound(f"no store at {config.data_dir}: run `kg build` first")
    store = open_store(config)
    try:
        return run_checks(store, config)
    finally:
        store.close()


__all__ = [
    "ArticleVerdict",
    "Verdict",
    "check",
    "counts",
    "format_table",
    "reviews_graph",
    "run_checks",
    "verdicts_for_article",
]
