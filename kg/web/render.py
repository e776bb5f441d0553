"""RDF terms as HTML, in Python: the pages show hundreds of terms, and a Jinja macro per term
cost a quarter of a second on an entity page. `_term.html`'s macros call these."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from markupsafe import Markup, escape

from kg.browse.terms import Term
from kg.web.links import Site

STRING = "http://www.w3.org/2001/XMLSchema#string"


class Render:
    """Renders terms for one page: our IRIs link to their pages, web IRIs to themselves."""

    def __init__(self, label: Callable[[str], str], site: Site) -> None:
        self.label = label
        self.site = site

    def iri(self, value: str, text: str | None = None) -> Markup:
        """A link to an IRI (our page for ours), showing its label or `text`."""
        shown = escape(text if text is not None else self.label(value))
        path = self.site.local_path(value)
        if path is not None:
            return Markup('<a href="{}">{}</a>').format(self.site.root + path, shown)
        if value.lower().startswith(("http://", "https://")):
            return Markup('<a href="{}" title="{}" class="external" rel="nofollow">{}</a>').format(
                value, value, shown
            )
        # Data may hold any scheme (javascript:, data:, ...): only web IRIs become links.
        return Markup('<span class="iri-text" title="{}">{}</span>').format(value, shown)

    def term(self, t: Term | None) -> Markup:
        """An IRI as a link, a literal with its language or datatype, a blank node's id."""
        if t is None:
            return Markup('<span class="none">—</span>')
        if t.kind == "iri":
            return self.iri(t.value)
        if t.kind == "literal":
            out = Markup('<span class="literal">{}</span>').format(t.value)
            if t.lang:
                out += Markup('<span class="lang">@{}</span>').format(t.lang)
            elif t.datatype and t.datatype != STRING:
                out += Markup('<span class="datatype" title="{}">{}</span>').format(
                    t.datatype, self.label(t.datatype)
                )
            return out
        return Markup('<span class="bnode">{}</span>').format(t.value)

    def terms(self, ts: Iterable[Term]) -> Markup:
        """Terms separated by commas."""
        return Markup(", ").join(self.term(t) for t in ts)
