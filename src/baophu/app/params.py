"""Every parameter a request brings (query string, form field, path) parsed one way: checked,
bounded, and refused with 400 and a Vietnamese message naming the parameter.

Routes take parameters as text and call one of these: ``integer`` (ASCII digits only, within
bounds), ``page`` (a page number), ``number`` (a decimal as Vietnamese write it, finite),
``text`` (no NUL or control characters, at most ``max_length``), ``code`` (unit, collector,
employer codes: letters, digits, ``._-``), ``choice`` (one of a fixed set), ``iso_date`` and
``month``.  ``check_raw`` is the guard applied to every request before any route runs
(``main.RequestGuard``): no NUL or control character and no overlong value anywhere in the
path, the query string or a form field.

Python's ``int()`` and ``float()`` accept far more than a person types — ``'²'``, ``'١'``
(Arabic-Indic one), ``'1_000'``, ``'1e309'`` (infinity), ``'NaN'`` — so nothing here calls
them on unchecked text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import HTTPException, Request

MAX_QUERY_VALUE = 256  # characters of one query-string value
MAX_FORM_VALUE = 4096  # characters of one form field (a note, a password)
MAX_PATH = 512
MAX_PAGE = 1_000_000
_DIGITS = re.compile(r"[0-9]{1,18}")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")
# 1.115.590 / 1115590 / 96 / 96,5 / 96.5 / 0,965 — ASCII digits, one decimal separator
_DECIMAL = re.compile(r"[0-9]{1,15}(?:[.,][0-9]{1,9})?")
_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")


class BadParameter(HTTPException):
    """400 with a Vietnamese message naming the parameter."""

    def __init__(self, name_vi: str, why: str) -> None:
        super().__init__(400, f"Tham số “{name_vi}” không hợp lệ: {why}.")
        self.name_vi = name_vi


def _blank(value: str | None) -> bool:
    return value is None or value.strip() == ""


def text(
    value: str | None,
    name_vi: str,
    *,
    max_length: int = 200,
    multiline: bool = False,
    required: bool = False,
) -> str | None:
    """Free text, stripped; None when empty (``BadParameter`` when ``required``)."""
    if value is None or value.strip() == "":
        if required:
            raise BadParameter(name_vi, "chưa nhập")
        return None
    pattern = _CONTROL if multiline else _CONTROL_ONE_LINE
    if pattern.search(value):
        raise BadParameter(name_vi, "có ký tự điều khiển")
    value = value.strip()
    if len(value) > max_length:
        raise BadParameter(name_vi, f"dài quá {max_length} ký tự")
    return value


def integer(
    value: str | None,
    name_vi: str,
    *,
    lo: int,
    hi: int,
    default: int | None = None,
) -> int | None:
    """A whole number written with ASCII digits only, between ``lo`` and ``hi``."""
    if _blank(value):
        return default
    assert value is not None
    raw = value.strip()
    negative = raw.startswith("-")
    digits = raw[1:] if negative else raw
    if not _DIGITS.fullmatch(digits):
        raise BadParameter(name_vi, "chỉ được gồm các chữ số 0–9")
    number = -int(digits) if negative else int(digits)
    if not lo <= number <= hi:
        raise BadParameter(name_vi, f"phải từ {lo} đến {hi}")
    return number


def page(value: str | None) -> int:
    """A page number (1 when absent)."""
    return integer(value, "trang", lo=1, hi=MAX_PAGE, default=1) or 1


def number(value: str | None, name_vi: str, *, grouped: bool = True) -> float | None:
    """A decimal number as people write it in Vietnam: ``1.115.590`` (thousands with dots,
    when ``grouped``), ``96,5`` or ``96.5``; ASCII digits only; finite.  A leading minus
    sign is kept (the caller decides whether negatives are allowed)."""
    if _blank(value):
        return None
    assert value is not None
    raw = value.strip().replace(" ", "").replace("\u00a0", "")
    negative = raw.startswith(("-", "−"))
    if negative:
        raw = raw[1:]
    if grouped and _GROUPED.fullmatch(raw):
        raw = raw.replace(".", "")
    if not _DECIMAL.fullmatch(raw):
        raise BadParameter(name_vi, "phải là một số viết bằng chữ số 0–9")
    result = float(raw.replace(",", "."))
    if not math.isfinite(result):  # pragma: no cover - the pattern bounds it
        raise BadParameter(name_vi, "phải là một số hữu hạn")
    return -result if negative else result


def code(value: str | None, name_vi: str) -> str | None:
    """A code of a unit, collector, employer, officer: letters, digits, ``._-``."""
    if _blank(value):
        return None
    assert value is not None
    raw = value.strip()
    if not _CODE.fullmatch(raw):
        raise BadParameter(name_vi, "mã chỉ gồm chữ, số và . _ - (tối đa 64 ký tự)")
    return raw


def choice(
    value: str | None,
    allowed: Iterable[str] | Mapping[str, Any],
    name_vi: str,
    *,
    default: str | None = None,
) -> str:
    """One of ``allowed`` (``default`` when empty; refused otherwise)."""
    options = list(allowed)
    if _blank(value):
        if default is not None:
            return default
        raise BadParameter(name_vi, "chưa chọn")
    assert value is not None
    raw = value.strip()
    if raw not in options:
        raise BadParameter(name_vi, "không có trong danh sách cho phép")
    return raw


def optional_choice(
    value: str | None, allowed: Iterable[str] | Mapping[str, Any], name_vi: str
) -> str | None:
    """One of ``allowed``, or None when empty."""
    if _blank(value):
        return None
    return choice(value, allowed, name_vi)


def iso_date(value: str | None, name_vi: str) -> dt.date | None:
    """A date written YYYY-MM-DD (what a date field sends)."""
    if _blank(value):
        return None
    assert value is not None
    raw = value.strip()
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
        raise BadParameter(name_vi, "ngày phải viết dạng NNNN-TT-NN")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(name_vi, "ngày không tồn tại") from None


def month(value: str | None, name_vi: str) -> dt.date:
    """A month written YYYY-MM (its first day)."""
    if _blank(value):
        raise BadParameter(name_vi, "chưa chọn tháng")
    assert value is not None
    raw = value.strip()
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}(?:-01)?", raw):
        raise BadParameter(name_vi, "tháng phải viết dạng NNNN-TT")
    try:
        return dt.date.fromisoformat(raw[:7] + "-01")
    except ValueError:
        raise BadParameter(name_vi, "tháng không tồn tại") from None


def flag(value: str | None) -> bool:
    """A checkbox or switch: ``1``, ``true``, ``on`` are true; empty is false."""
    return (value or "").strip().lower() in ("1", "true", "on", "yes")


def check_raw(name: str, value: str, limit: int) -> str | None:
    """Why a raw request value is refused before any route (None when it is fine)."""
    name = _CONTROL_ONE_LINE.sub("?", name)
    if "\x00" in value:
        return f"Tham số “{name}” chứa ký tự NUL."
    if len(value) > limit:
        return f"Tham số “{name}” dài quá {limit} ký tự."
    return None


async def check_request(request: Request) -> None:
    """FastAPI dependency of the whole application, before any route: no NUL and no overlong
    value in the path, the query string or an urlencoded form field (400 otherwise).  File
    uploads are checked by their route."""
    path = request.url.path
    why = check_raw("đường dẫn", path, MAX_PATH)
    if why is None:
        for key, value in request.query_params.multi_items():
            why = check_raw(key[:40], key, MAX_QUERY_VALUE) or check_raw(
                key[:40], value, MAX_QUERY_VALUE
            )
            if why:
                break
    if why is None and request.method == "POST":
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            form = await request.form()
            for key, field_value in form.multi_items():
                if isinstance(field_value, str):
                    why = check_raw(key[:40], key, MAX_QUERY_VALUE) or check_raw(
                        key[:40], field_value, MAX_FORM_VALUE
                    )
                    if why:
                        break
    if why is not None:
        raise HTTPException(400, why)
