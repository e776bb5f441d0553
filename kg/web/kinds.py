"""What each kind of linked-data page adds to the common one: its template and its data.

`context_for(kind, store, res)` returns the template and the extra context of the page of a
resource whose path starts with `/{kind}/`; every kind not listed gets the common page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kg.browse import article as articles
from kg.browse import claims, coding, identifiers, verdicts
from kg.browse.resources import Resource
from kg.errors import NotFound
from kg.namespaces import GC
from kg.web import state
from kg.web.extras import extras_for
from kg.web.params import page_number
from kg.web.verdicts import legend, mark

Builder = Callable[[Any, Resource], tuple[str, dict[str, Any]] | None]


def _entity(store: Any, res: Resource) -> tuple[str, dict[str, Any]]:
    page = page_number("claims-page")
    found = claims.claims_about(store, res.iri, page)
    if page > found.pages:
        raise NotFound(f"page {page} of the claims about <{res.iri}>: there are {found.pages}")
    cards = [c for _, items in found.groups for c in items]
    disputes, more = claims.entity_disputes(store, res.iri)
    return "entity.html", {
        "claims": found,
        "identifiers": identifiers.identifiers_of(store, res.iri),  # issue 14
        "verdict_of": verdicts.briefs(store, [c.iri for c in cards]),
        "disputes": disputes,
        "more_disputes": more,
        "label_iris": [
            *(who for who, _ in found.claimants if who),
            *claims.dispute_iris(cards),
            *(link.iri for pair in disputes for link in pair),
            *(c.iri for c in cards if not c.quote),
        ],
    }


def _claim(store: Any, res: Resource) -> tuple[str, dict[str, Any]] | None:
    claim = claims.claim_page(store, res)
    if claim is None:
        return None
    article = claim.claim.article.value if claim.claim.article else None
    from kg.web.querypages import catalogue_or_none

    return "claim.html", {
        "claim": claim,
        "verdict": verdicts.for_claim(store, res.iri, article),
        "coding": coding.claim_coding(store, res.iri, catalogue_or_none(state().config)),
        "label_iris": claims.dispute_iris([claim.claim]),
    }


def _article(store: Any, res: Resource) -> tuple[str, dict[str, Any]] | None:
    view = articles.article_view(store, res.iri)
    if view is None:
        return None
    judged = verdicts.for_article(store, res.iri)
    views = claims.claims_in(store, res.iri)
    ambiguous = frozenset(i for i, v in views.items() if v.ambiguous)
    by_iri = articles.claims_by_iri(view)
    return "article.html", {
        "article": view,
        "article_claims": by_iri,
        "panel_ids": {iri: f"pc-{n}" for n, iri in enumerate(by_iri, 1)},
        "claim_views": views,
        "verdicts": judged,
        "marks": [mark(s, view, judged, ambiguous) if s.claims else None for s in view.segments],
        "legend": legend(judged),
        "label_iris": claims.dispute_iris(list(views.values())),
    }


def _graph_content(store: Any, res: Resource) -> tuple[str, dict[str, Any]] | None:
    if not res.is_graph:
        return None
    tree = claims.proposition_tree(store, res.iri)
    context: dict[str, Any] = {
        "tree": tree,
        "label_iris": [o.iri for o in tree.others] if tree else [],
    }
    if res.values(GC + "factId"):
        context["judged"], context["more_judged"] = verdicts.judged_with(store, res.iri)
        context["label_iris"] += [claim for claim, _ in context["judged"]]
    return "resource.html", context


BUILDERS: dict[str, Builder] = {
    "entity": _entity,
    "claim": _claim,
    "article": _article,
    "proposition": _graph_content,
    "reference": _graph_content,
}


def context_for(kind: str, store: Any, res: Resource) -> tuple[str, dict[str, Any]]:
    """The template and extra context of a resource's page (the common page when none fits)."""
    builder = BUILDERS.get(kind)
    found = builder(store, res) if builder else None
    template, context = found or ("resource.html", {})
    context["extras"] = extras_for(kind, store, res.iri)
    context["kind"] = kind
    return template, context
