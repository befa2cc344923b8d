"""Who the state budget pays BHYT for, by age and benefit, on a date (``parameters.toml``):

* ``child_under_age(on)`` — children under this age (6) are budget-paid
  (``bhyt.state_paid_child_under_age``);
* ``new_groups(on)`` — the groups the amended BHYT law added from its start (2025-07-01):
  social-pension recipients, monthly-survivor-allowance recipients from 75, or from 70 in a
  near-poor household (``bhyt.amended_law_new_groups``); ``None`` before that law;
  ``law_start()`` — the day those groups start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from baophu.rules.errors import RuleNotInForceError
from baophu.rules.parameters import Rules, resolve

CHILD_KEY = "bhyt.state_paid_child_under_age"
NEW_GROUPS_KEY = "bhyt.amended_law_new_groups"


@dataclass(frozen=True)
class NewGroups:
    """The amended law's budget-paid groups in force on a day."""

    social_pension: bool
    survivor_min_age: int
    survivor_near_poor_min_age: int
    source: str


def child_under_age(on: date, rules: Rules | None = None) -> int:
    """Children younger than this (in whole years) are budget-paid on ``on``."""
    return int(resolve(rules).value(CHILD_KEY, on))


def new_groups(on: date, rules: Rules | None = None) -> NewGroups | None:
    """The amended law's groups on ``on``; ``None`` before the law."""
    try:
        entry = resolve(rules).entry(NEW_GROUPS_KEY, on)
    except RuleNotInForceError:
        return None
    value = entry.value
    return NewGroups(
        social_pension=bool(value["social_pension"]),
        survivor_min_age=int(value["survivor_min_age"]),
        survivor_near_poor_min_age=int(value["survivor_near_poor_min_age"]),
        source=entry.source,
    )


def law_start(rules: Rules | None = None) -> date:
    """The first day of the amended law's groups."""
    return resolve(rules).entries(NEW_GROUPS_KEY)[0].effective_from
