"""``baophu calc …``: the legal calculators on the command line (Typer sub-application).

Owns the command-line face of ``baophu.rules`` and nothing else: it parses options, calls
the calculators and prints either a Rich table with Vietnamese labels (amounts as
``1.234.567 ₫``) or, with ``--json``, the calculator's result as JSON only (UTF-8, not
escaped).  Bad input ends with one line in Vietnamese and English on stderr and exit code 2.

The main application mounts it with ``app.add_typer(calc_app, name="calc")``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from baophu.rules.contributions import compulsory_split
from baophu.rules.errors import RulesError, RulesInputError
from baophu.rules.household import household_bhyt
from baophu.rules.interest import late_interest
from baophu.rules.parameters import as_date
from baophu.rules.retirement import SEX_LABELS_VI, retirement_age
from baophu.rules.voluntary import GROUP_LABELS_VI, voluntary_bhxh
from baophu.vn.formats import money as format_vnd
from baophu.vn.formats import number as format_number
from baophu.vn.formats import rate as format_percent

calc_app = typer.Typer(
    help=(
        "Tính mức đóng BHXH, BHYT, BHTN, lãi chậm đóng và tuổi nghỉ hưu theo quy định "
        "có hiệu lực tại ngày tính. / Legal calculators: contributions, household BHYT, "
        "voluntary BHXH, late interest, retirement age."
    ),
    no_args_is_help=True,
    add_completion=False,
)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Chỉ in JSON ra stdout. / Print JSON only.")
]
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="Ngày tính (YYYY-MM-DD), mặc định hôm nay. / Date of the rules (default: today).",
    ),
]

_GROUPED = re.compile(r"^\d{1,3}([.,]\d{3})+$")


def _fail(error: RulesError) -> NoReturn:
    vi = " ".join(error.vi.split())
    en = " ".join(error.en.split())
    typer.echo(f"Lỗi: {vi} | Error: {en}", err=True)
    raise typer.Exit(code=2)


def _parse_int(text: str, name_vi: str, name_en: str) -> int:
    """A whole number; accepts thousands separators (``10.000.000``, ``10,000,000``, ``_``)."""
    raw = text.strip().replace("_", "").replace(" ", "")
    negative = raw.startswith("-")
    digits = raw[1:] if negative else raw
    if _GROUPED.match(digits):
        digits = digits.replace(".", "").replace(",", "")
    if not digits.isdigit():
        raise RulesInputError(
            f"{name_vi} phải là số nguyên, nhận {text!r}",
            f"{name_en} must be a whole number, got {text!r}",
        )
    if negative:
        raise RulesInputError(
            f"{name_vi} không được âm, nhận {text!r}",
            f"{name_en} must not be negative, got {text!r}",
        )
    return int(digits)


def _parse_date(text: str | None) -> date:
    return date.today() if text is None else as_date(text)


def _vn_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def _vn_month(year_month: str) -> str:
    year, month = year_month.split("-")
    return f"{month}/{year}"


def _emit(result: dict[str, Any], as_json: bool, render: Callable[[Console], None]) -> None:
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False, soft_wrap=True)
    render(console)
    for warning in result.get("warnings", []) + result.get("notes", []):
        console.print(f"[yellow]Lưu ý:[/yellow] {warning}")
    console.print(f"Phiên bản quy tắc / rule version: {result['rule_version']}")


def _run(compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return compute()
    except RulesError as error:
        _fail(error)


@calc_app.command("compulsory")
def compulsory_command(
    wage: Annotated[
        str, typer.Option("--wage", help="Tiền lương tháng (VND). / Monthly wage (VND).")
    ],
    region: Annotated[
        str, typer.Option("--region", help="Vùng lương tối thiểu 1–4. / Minimum-wage region.")
    ],
    on: DateOption = None,
    as_json: JsonOption = False,
) -> None:
    """BHXH, BHYT, BHTN bắt buộc theo bên đóng. / Compulsory contributions by party."""
    result = _run(
        lambda: compulsory_split(
            _parse_int(wage, "Tiền lương", "wage"),
            _parse_date(on),
            _parse_int(region, "Vùng", "region"),
        )
    )

    def render(console: Console) -> None:
        table = Table(
            title=(
                f"Đóng bảo hiểm bắt buộc — lương {format_vnd(result['wage'])}, "
                f"vùng {result['region']}, ngày {_vn_date(result['date'])}"
            )
        )
        table.add_column("Khoản")
        table.add_column("Người sử dụng lao động", justify="right")
        table.add_column("Người lao động", justify="right")
        table.add_column("Tổng cộng", justify="right")
        employer, employee = result["employer"], result["employee"]
        for scheme, label in (("bhxh", "BHXH"), ("bhyt", "BHYT"), ("bhtn", "BHTN")):
            table.add_row(
                label,
                format_vnd(employer[scheme]),
                format_vnd(employee[scheme]),
                format_vnd(employer[scheme] + employee[scheme]),
            )
        table.add_row(
            "Tổng cộng",
            format_vnd(employer["total"]),
            format_vnd(employee["total"]),
            format_vnd(result["total"]),
            style="bold",
        )
        console.print(table)
        console.print(f"Tiền lương tính BHXH, BHYT: {format_vnd(result['bhxh_bhyt_wage'])}")
        console.print(f"Tiền lương tính BHTN: {format_vnd(result['bhtn_wage'])}")

    _emit(result, as_json, render)


@calc_app.command("household-bhyt")
def household_command(
    member: Annotated[
        str,
        typer.Option("--member", help="Thành viên thứ mấy trong hộ (1, 2, …). / Member number."),
    ],
    on: DateOption = None,
    as_json: JsonOption = False,
) -> None:
    """BHYT hộ gia đình cho thành viên thứ n. / Household BHYT for the n-th member."""
    result = _run(
        lambda: household_bhyt(_parse_int(member, "Thành viên", "member"), _parse_date(on))
    )

    def render(console: Console) -> None:
        table = Table(title=f"BHYT hộ gia đình — ngày {_vn_date(result['date'])}")
        table.add_column("Khoản")
        table.add_column("Giá trị", justify="right")
        table.add_row("Thành viên thứ", str(result["member"]))
        table.add_row("Lương cơ sở", format_vnd(result["base_salary"]))
        table.add_row("Tỷ lệ so với người thứ nhất", format_percent(result["factor"]))
        table.add_row("Mức đóng tháng", format_vnd(result["monthly"]))
        table.add_row("Mức đóng 12 tháng", format_vnd(result["yearly"]), style="bold")
        console.print(table)

    _emit(result, as_json, render)


@calc_app.command("voluntary")
def voluntary_command(
    income: Annotated[
        str,
        typer.Option("--income", help="Thu nhập tháng lựa chọn (VND). / Chosen monthly income."),
    ],
    group: Annotated[
        str,
        typer.Option(
            "--group",
            help=(
                "poor | near_poor | ethnic_minority | other "
                "(nghèo, cận nghèo, dân tộc thiểu số, khác)."
            ),
        ),
    ],
    on: DateOption = None,
    as_json: JsonOption = False,
) -> None:
    """BHXH tự nguyện: số phải đóng, hỗ trợ, còn phải nộp. / Voluntary BHXH."""
    result = _run(
        lambda: voluntary_bhxh(_parse_int(income, "Thu nhập", "income"), group, _parse_date(on))
    )

    def render(console: Console) -> None:
        table = Table(title=f"BHXH tự nguyện — ngày {_vn_date(result['date'])}")
        table.add_column("Khoản")
        table.add_column("Giá trị", justify="right")
        table.add_row("Nhóm đối tượng", GROUP_LABELS_VI[result["group"]])
        table.add_row("Thu nhập lựa chọn", format_vnd(result["income"]))
        table.add_row(
            f"Số phải đóng ({format_percent(result['rate'])})", format_vnd(result["gross"])
        )
        table.add_row(
            f"Nhà nước hỗ trợ ({format_percent(result['subsidy_share'])} × "
            f"{format_percent(result['rate'])} × {format_number(result['poverty_line'])})",
            format_vnd(result["subsidy"]),
        )
        table.add_row("Người tham gia nộp", format_vnd(result["payable"]), style="bold")
        console.print(table)

    _emit(result, as_json, render)


@calc_app.command("late-interest")
def late_interest_command(
    amount: Annotated[
        str, typer.Option("--amount", help="Số tiền chậm đóng (VND). / Late amount (VND).")
    ],
    days: Annotated[str, typer.Option("--days", help="Số ngày chậm đóng. / Days late.")],
    on: DateOption = None,
    as_json: JsonOption = False,
) -> None:
    """Lãi chậm đóng. / Interest on a late amount."""
    result = _run(
        lambda: late_interest(
            _parse_int(amount, "Số tiền", "amount"),
            _parse_int(days, "Số ngày", "days"),
            _parse_date(on),
        )
    )

    def render(console: Console) -> None:
        table = Table(title=f"Lãi chậm đóng — ngày {_vn_date(result['date'])}")
        table.add_column("Khoản")
        table.add_column("Giá trị", justify="right")
        table.add_row("Số tiền chậm đóng", format_vnd(result["amount"]))
        table.add_row("Số ngày chậm đóng", format_number(result["days"]))
        table.add_row("Lãi suất mỗi ngày", format_percent(result["daily_rate"]))
        table.add_row("Tiền lãi", format_vnd(result["interest"]), style="bold")
        table.add_row("Tổng cộng phải nộp", format_vnd(result["total"]))
        console.print(table)

    _emit(result, as_json, render)


@calc_app.command("retirement-age")
def retirement_age_command(
    sex: Annotated[str, typer.Option("--sex", help="male | female (nam | nữ).")],
    birth: Annotated[
        str, typer.Option("--birth", help="Tháng năm sinh YYYY-MM. / Birth month YYYY-MM.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Tuổi nghỉ hưu và tháng đủ tuổi (Nghị định 135/2020). / Retirement age (Decree 135/2020)."""
    result = _run(lambda: retirement_age(sex, birth))

    def render(console: Console) -> None:
        table = Table(title="Tuổi nghỉ hưu trong điều kiện lao động bình thường")
        table.add_column("Khoản")
        table.add_column("Giá trị", justify="right")
        table.add_row("Giới tính", SEX_LABELS_VI[result["sex"]])
        table.add_row("Tháng năm sinh", _vn_month(result["birth_month"]))
        age = f"{result['years']} tuổi"
        if result["months"]:
            age += f" {result['months']} tháng"
        table.add_row("Tuổi nghỉ hưu", age, style="bold")
        table.add_row("Tháng đủ tuổi nghỉ hưu", _vn_month(result["reaches_on"]))
        table.add_row("Hưởng lương hưu từ tháng", _vn_month(result["pension_from"]))
        console.print(table)

    _emit(result, as_json, render)
