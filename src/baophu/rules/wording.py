"""Texts shown to users that quote a legal figure, rendered from the parameters in force on
a date — never typed into a template or a report, so a new decree changes them with the
parameter file.

* ``evasion_days(on)`` — ``"60 ngày"``: how long after the deadline an unpaid amount counts as
  evasion (``late.days_to_evasion``); ``None`` before Law 41/2024 defined it;
* ``daily_interest(on)`` — ``"0,03%/ngày"`` (``late_interest.daily_rate``);
* ``notice_legal_note(on)`` — the note of the monthly C12-TS notice: the deadline, the
  interest and, where the law defines it, when late becomes evasion, with the legal source;
* ``evasion_label(on)`` — the label "Trốn đóng (quá 60 ngày)" of the employer pages and the
  command line; ``evasion_basis(on)`` — the tender-exclusion list's reason.
"""

from __future__ import annotations

from datetime import date

from baophu.rules.interest import EVASION_KEY, RATE_KEY, days_to_evasion
from baophu.rules.parameters import Rules, resolve
from baophu.vn import formats

DEADLINE_TEXT = "Hạn đóng: ngày cuối cùng của tháng liền sau tháng phải đóng."


def evasion_days(on: date, rules: Rules | None = None) -> str | None:
    """``"60 ngày"``, or ``None`` where the law in force defines no such delay."""
    days = days_to_evasion(on, rules)
    return None if days is None else formats.days(days)


def daily_interest(on: date, rules: Rules | None = None) -> str:
    """The daily late-interest rate in force on ``on``: ``"0,03%/ngày"``."""
    return f"{formats.rate(resolve(rules).value(RATE_KEY, on))}/ngày"


def legal_source(key: str, on: date, rules: Rules | None = None) -> str:
    """The document of a parameter's source, without the article and our comments:
    ``"Law 41/2024/QH15"``."""
    source = resolve(rules).source(key, on)
    return source.split(" Art.")[0].split(" (")[0].strip()


def notice_legal_note(on: date, rules: Rules | None = None) -> str:
    """The monthly notice's legal note, from the law in force on ``on``."""
    r = resolve(rules)
    text = f"{DEADLINE_TEXT} Số tiền chậm đóng phải nộp thêm lãi {daily_interest(on, r)}"
    days = evasion_days(on, r)
    if days is None:
        return f"{text}."
    return f"{text}; quá {days} kể từ hạn đóng là trốn đóng ({evasion_law(on, r)})."


def evasion_law(on: date, rules: Rules | None = None) -> str:
    """The law that defines evasion on ``on``: ``"Luật BHXH số 41/2024/QH15"``."""
    return legal_source(EVASION_KEY, on, rules).replace("Law ", "Luật BHXH số ")


def evasion_basis(on: date, rules: Rules | None = None) -> str:
    """Why an employer is on the tender-exclusion list: ``"Trốn đóng: số tiền chậm đóng quá
    60 ngày kể từ hạn đóng (Luật BHXH số 41/2024/QH15)"``."""
    days = evasion_days(on, rules)
    if days is None:
        return "Trốn đóng"
    return f"Trốn đóng: số tiền chậm đóng quá {days} kể từ hạn đóng ({evasion_law(on, rules)})"


def evasion_label(on: date, rules: Rules | None = None) -> str:
    """``"Trốn đóng (quá 60 ngày)"``; ``"Trốn đóng"`` where no delay is in force."""
    days = evasion_days(on, rules)
    return "Trốn đóng" if days is None else f"Trốn đóng (quá {days})"
