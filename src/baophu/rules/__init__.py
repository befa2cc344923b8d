"""Legal parameters by effective date and the calculators that read them.

``parameters.toml`` holds every figure with its dates and legal source, ``policy.toml`` the
office's policy choices (list windows, thresholds) in the same layout; ``parameters`` loads
and validates them (``get_rules()``, ``get_policy()``); ``contributions``, ``household``,
``voluntary``, ``interest`` and ``retirement`` compute whole-VND amounts and ages from them;
``wording`` renders the texts shown to users that quote a legal figure ("60 ngày",
"0,03%/ngày").  The ``baophu calc`` command line is ``commands/calc.py``.
"""

from baophu.rules.contributions import compulsory_split, contribution_caps
from baophu.rules.errors import RuleNotInForceError, RulesError, RulesFileError, RulesInputError
from baophu.rules.household import household_bhyt, household_bhyt_total
from baophu.rules.interest import (
    daily_rate_on,
    daily_rates,
    days_to_evasion,
    evasion_from,
    interest_rate_periods,
    late_interest,
    late_interest_between,
    payment_deadline,
)
from baophu.rules.parameters import Param, Rules, get_policy, get_rules
from baophu.rules.retirement import (
    is_working_age,
    retirement_age,
    retirement_month_table,
    retirement_schedule,
)
from baophu.rules.voluntary import voluntary_bhxh

__all__ = [
    "Param",
    "RuleNotInForceError",
    "Rules",
    "RulesError",
    "RulesFileError",
    "RulesInputError",
    "compulsory_split",
    "contribution_caps",
    "daily_rate_on",
    "daily_rates",
    "days_to_evasion",
    "evasion_from",
    "get_policy",
    "get_rules",
    "household_bhyt",
    "household_bhyt_total",
    "interest_rate_periods",
    "is_working_age",
    "late_interest",
    "late_interest_between",
    "payment_deadline",
    "retirement_age",
    "retirement_month_table",
    "retirement_schedule",
    "voluntary_bhxh",
]
