"""The check rules, one per kind of comparison; each has a name, a description and a function.

To add a rule: write `def check_x(snap, claim, node) -> list[Finding]` in a module here (it sees
every node of a claim's proposition graph and returns nothing when it does not apply or finds no
reference fact), wrap it in `Rule(name, description, check_x)` and list it in RULES.
"""

from __future__ import annotations

from kg.check.rules.common import Rule
from kg.check.rules.counts import COUNTS
from kg.check.rules.dates import EVENT_DATE, TENURE, TENURE_HELD
from kg.check.rules.geography import BORDERS
from kg.check.rules.match import MATCH, ROLES
from kg.check.rules.membership import AGREEMENTS, MEMBERSHIPS
from kg.check.rules.names import LABEL_IN_USE, NAME
from kg.check.rules.speech import SPEECH

RULES: tuple[Rule, ...] = (
    TENURE,
    TENURE_HELD,
    EVENT_DATE,
    NAME,
    BORDERS,
    COUNTS,
    AGREEMENTS,
    MEMBERSHIPS,
)
# Tried on a node only when none of RULES found anything about it.
FALLBACK: tuple[Rule, ...] = (MATCH, ROLES)

# Tried first on the root of a quoted, reported or hearsay claim; it judges the report itself.
FIRST: tuple[Rule, ...] = (SPEECH,)

# Tried on the root of a claim that cannot be checked: facts that give it context, cited in the
# reason while the verdict stays not checkable.
CONTEXT: tuple[Rule, ...] = (LABEL_IN_USE,)

__all__ = ["CONTEXT", "FALLBACK", "FIRST", "RULES", "Rule"]
