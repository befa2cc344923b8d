"""Vietnamese text normalisation: NFC, and folding for matching what people type.

* ``nfc(text)`` — Unicode NFC (precomposed letters), as every output and every stored text
  must be: a name typed in decomposed form shows, sorts and matches like the same name typed
  precomposed.  ``''`` for ``None``.
* ``fold(text)`` — for matching only, never for display: NFC, lower case, ``đ`` → ``d``, the
  diacritics removed, ``_`` and ``-`` (and any ``separators`` given) read as spaces, runs of
  spaces made one.  ``"Cận nghèo"``, ``"CAN NGHEO"`` and ``"can_ngheo"`` all fold to
  ``"can ngheo"``.
"""

from __future__ import annotations

import unicodedata
from typing import Any

DEFAULT_SEPARATORS = "_-"


def nfc(text: Any) -> str:
    """``text`` (any value: it is turned into text) in Unicode NFC; ``''`` for ``None``."""
    return "" if text is None else unicodedata.normalize("NFC", str(text))


def strip_marks(text: str) -> str:
    """``text`` lower-cased with ``đ`` as ``d`` and every diacritic removed."""
    lowered = unicodedata.normalize("NFC", text).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", lowered)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def fold(text: Any, separators: str = DEFAULT_SEPARATORS) -> str:
    """``text`` folded for matching (see the module docstring); ``''`` for ``None``."""
    if text is None:
        return ""
    stripped = strip_marks(str(text).strip())
    for ch in separators:
        stripped = stripped.replace(ch, " ")
    return " ".join(stripped.split())
