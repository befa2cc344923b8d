"""Legal parameters by effective date and the calculators that read them.

``parameters.toml`` holds every figure with its dates and legal source; ``parameters`` loads
and validates it (``get_rules()``); ``contributions``, ``household``, ``voluntary``,
``interest`` and ``retirement`` compute whole-VND amounts and ages from it; ``cli`` is the
``baophu calc`` sub-application (imported separately so that engines need not load Typer).
"""

from baophu.rules.contributions import compulsory_split, contribution_caps
from baophu.rules.errors import RuleNotInForceError, RulesError, RulesFileError, RulesInputError
from baophu.rules.household import household_bhyt, household_bhyt_total
from baophu.rules.interest import (
    daily_rate_on,
    daily_rates,
    evasion_from,
    interest_rate_periods,
    late_interest,
    late_interest_between,
    payment_deadline,
)
from baophu.rules.parameters import Param, Rules, get_rules
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
    "evasion_from",
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
