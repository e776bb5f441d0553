"""Names: the full name (expansion) an article gives an organisation against the reference name."""

from __future__ import annotations

import re

from kg.check.model import Claim, Node, Snapshot
from kg.check.rules.common import Rule, fact_ids, kinds, roles_agree
from kg.check.verdict import CONSISTENT, CONTRADICTED, NOT_CHECKABLE, Finding
from kg.namespaces import GC

FULL_NAME = GC + "fullName"
ACRONYM = GC + "acronym"


def _words(name: str) -> list[str]:
    # Case, punctuation and "&" vs "and" do not make a name different.
    return re.findall(r"[a-z0-9]+", name.casefold().replace("&", " and "))


def check_name(snap: Snapshot, claim: Claim, node: Node) -> list[Finding]:
    """A stated gc:fullName against the full names reference facts give the same organisation."""
    stated = [lit.value for lit in node.literals(FULL_NAME)]
    if not stated:
        return []
    refs = [
        r
        for r in snap.reference_nodes(kinds(node))
        if r.literals(FULL_NAME) and roles_agree(snap, node, r)
    ]
    if not refs:
        return []
    known = {lit.value: r for r in refs for lit in r.literals(FULL_NAME)}
    findings = []
    for name in stated:
        hit = next((k for k in sorted(known) if _words(k) == _words(name)), None)
        if hit is not None:
            ref = known[hit]
            findings.append(
                Finding(
                    CONSISTENT,
                    (f'{snap.facts[ref.graph].fid} gives the full name "{hit}", as stated.'),
                    fact_ids(snap, [ref]),
                )
            )
            continue
        best = sorted(known)[0]
        ref = known[best]
        mine, theirs = _words(name), _words(best)
        wrong = [w for w in mine if w not in theirs]
        right = [w for w in theirs if w not in mine]
        diff = ""
        if wrong or right:
            diff = f' ("{" ".join(wrong)}" where the name has "{" ".join(right)}")'
        findings.append(
            Finding(
                CONTRADICTED,
                (
                    f'The claim expands the name as "{name}"; '
                    f"{snap.facts[ref.graph].fid} gives the full "
                    f'name "{best}"{diff}.'
                ),
                fact_ids(snap, [ref]),
            )
        )
    return findings


NAME = Rule(
    "organisation-name",
    "A full name or expansion stated for an organisation (gc:fullName) is compared with the full "
    "names the reference facts give the same organisation, ignoring case and punctuation.",
    check_name,
)


LABEL = GC + "LabelStatement"
LABEL_TEXT = GC + "labelText"


def label_context(snap: Snapshot, claim: Claim, node: Node) -> list[Finding]:
    """For a label that cannot be checked: the reference facts recording the same label in use."""
    if LABEL not in kinds(node):
        return []
    words = {" ".join(_words(lit.value)) for lit in node.literals(LABEL_TEXT)}
    refs = [
        r
        for r in snap.reference_nodes({LABEL})
        if roles_agree(snap, node, r)
        and words & {" ".join(_words(lit.value)) for lit in r.literals(LABEL_TEXT)}
    ]
    if not refs:
        return []
    fids = ", ".join(snap.facts[g].fid for g in fact_ids(snap, refs))
    return [
        Finding(
            NOT_CHECKABLE,
            f"{fids} records this label as in common use: that it is said, not that it is so.",
            fact_ids(snap, refs),
        )
    ]


LABEL_IN_USE = Rule(
    "label-in-use",
    "Context for a label that is not checkable (an opinion): the reference facts that record "
    "the same label (gc:LabelStatement with the same entity and label text) as in use are "
    "cited in the reason; the verdict stays not checkable.",
    label_context,
)
