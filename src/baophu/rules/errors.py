"""Errors raised by the legal-parameter layer, each with a Vietnamese and an English message.

Every error here carries ``vi`` and ``en``; ``str(error)`` gives both on one line so a
command-line tool can print it as it is.  Nothing here reads files or computes amounts.
"""

from __future__ import annotations

from baophu.vn.text import nfc


class RulesError(Exception):
    """Base class: a bilingual (Vietnamese / English) error of baophu.rules."""

    def __init__(self, vi: str, en: str) -> None:
        self.vi = nfc(vi)
        self.en = en
        super().__init__(self.vi, self.en)

    def __str__(self) -> str:
        return f"{self.vi} / {self.en}"


class RulesFileError(RulesError, ValueError):
    """The parameter file is malformed: a missing field, a bad date, overlapping periods."""


class RuleNotInForceError(RulesError, KeyError):
    """No value of ``key`` is in force on ``on`` (unknown key, or a date outside every period)."""

    def __init__(self, key: str, on: object, vi: str, en: str) -> None:
        self.key = key
        self.on = on
        super().__init__(vi, en)

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return f"{self.vi} / {self.en}"


class RulesInputError(RulesError, ValueError):
    """An argument given to a calculator is out of its legal range or not understood."""
