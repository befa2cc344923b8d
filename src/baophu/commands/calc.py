"""``baophu calc …``: the legal calculators on the command line (Typer sub-application).

Owns the command-line face of ``baophu.rules``: it parses options (amounts as typed in
Vietnam, ``10.000.000``, through ``vn.parse``), calls the calculators and prints either a
Rich table with Vietnamese labels (amounts as ``1.234.567 đ``, ``vn.formats``) or, with
``--json``, the calculator's result as JSON only (UTF-8, not escaped).  Bad input ends with
one line in Vietnamese and English on stderr (``commands.common.fail``) and exit code 2.

The main application mounts it with ``app.add_typer(calc_app, name="calc")``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from baophu.commands.common import console, fail, print_json
from baophu.commands.options import JsonOpt
from baophu.rules.contributions import compulsory_split
from baophu.rules.errors import RulesError, RulesInputError
from baophu.rules.household import household_bhyt
from baophu.rules.interest import late_interest
from baophu.rules.parameters import as_date
from baophu.rules.retirement import SEX_LABELS_VI, retirement_age
from baophu.rules.voluntary import GROUP_LABELS_VI, voluntary_bhxh
from baophu.vn import formats, parse

calc_app = typer.Typer(
    help=(
        "Tính mức đóng BHXH, BHYT, BHTN, lãi chậm đóng và tuổi nghỉ hưu theo quy định "
        "có hiệu lực tại ngày tính. / Legal calculators: contributions, household BHYT, "
        "voluntary BHXH, late interest, retirement age."
    ),
    no_args_is_help=True,
    add_completion=False,
)

BAD_INPUT = 2  # the exit code of a value the calculators cannot use
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="Ngày tính (YYYY-MM-DD), mặc định hôm nay. / Date of the rules (default: today).",
    ),
]


def _fail(error: RulesError) -> NoReturn:
    fail(" ".join(error.vi.split()), " ".join(error.en.split()), BAD_INPUT)


def _parse_int(text: str, name_vi: str, name_en: str) -> int:
    """A whole number, not negative; thousands separators accepted (``10.000.000``,
    ``10,000,000``, ``10_000_000``)."""
    if text.strip().startswith("-"):
        raise RulesInputError(
            f"{name_vi} không được âm, nhận {text!r}",
            f"{name_en} must not be negative, got {text!r}",
        )
    try:
        return parse.whole_number(text)
    except ValueError:
        raise RulesInputError(
            f"{name_vi} phải là số nguyên, nhận {text!r}",
            f"{name_en} must be a whole number, got {text!r}",
        ) from None


def _parse_date(text: str | None) -> date:
    return date.today() if text is None else as_date(text)


def _emit(result: dict[str, Any], as_json: bool, render: Callable[[Console], None]) -> None:
    if as_json:
        print_json(result)
        return
    render(console)
    for warning in result.get("warnings", []) + result.get("notes", []):
        console.print(f"[yellow]Lưu ý:[/yellow] {warning}")
    console.print(f"Phiên bản quy tắc / rule version: {result['rule_version']}")


def facts_table(title: str, facts: list[tuple[str, str]], bold: str) -> Callable[[Console], None]:
    """What prints a two-column table (Khoản, Giá trị), the row labelled ``bold`` in bold."""

    def render(console: Console) -> None:
        table = Table(title=title)
        table.add_column("Khoản")
        table.add_column("Giá trị", justify="right")
        for label, value in facts:
            table.add_row(label, value, style="bold" if label == bold else None)
        console.print(table)

    return render


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
    as_json: JsonOpt = False,
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
                f"Đóng bảo hiểm bắt buộc — lương {formats.money(result['wage'])}, "
                f"vùng {result['region']}, ngày {formats.date(result['date'])}"
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
                formats.money(employer[scheme]),
                formats.money(employee[scheme]),
                formats.money(employer[scheme] + employee[scheme]),
            )
        table.add_row(
            "Tổng cộng",
            formats.money(employer["total"]),
            formats.money(employee["total"]),
            formats.money(result["total"]),
            style="bold",
        )
        console.print(table)
        console.print(f"Tiền lương tính BHXH, BHYT: {formats.money(result['bhxh_bhyt_wage'])}")
        console.print(f"Tiền lương tính BHTN: {formats.money(result['bhtn_wage'])}")

    _emit(result, as_json, render)


@calc_app.command("household-bhyt")
def household_command(
    member: Annotated[
        str,
        typer.Option("--member", help="Thành viên thứ mấy trong hộ (1, 2, …). / Member number."),
    ],
    on: DateOption = None,
    as_json: JsonOpt = False,
) -> None:
    """BHYT hộ gia đình cho thành viên thứ n. / Household BHYT for the n-th member."""
    result = _run(
        lambda: household_bhyt(_parse_int(member, "Thành viên", "member"), _parse_date(on))
    )

    facts = [
        ("Thành viên thứ", str(result["member"])),
        ("Lương cơ sở", formats.money(result["base_salary"])),
        ("Tỷ lệ so với người thứ nhất", formats.rate(result["factor"])),
        ("Mức đóng tháng", formats.money(result["monthly"])),
        ("Mức đóng 12 tháng", formats.money(result["yearly"])),
    ]
    title = f"BHYT hộ gia đình — ngày {formats.date(result['date'])}"
    _emit(result, as_json, facts_table(title, facts, bold="Mức đóng 12 tháng"))


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
    as_json: JsonOpt = False,
) -> None:
    """BHXH tự nguyện: số phải đóng, hỗ trợ, còn phải nộp. / Voluntary BHXH."""
    result = _run(
        lambda: voluntary_bhxh(_parse_int(income, "Thu nhập", "income"), group, _parse_date(on))
    )

    rate = formats.rate(result["rate"])
    subsidy = (
        f"Nhà nước hỗ trợ ({formats.rate(result['subsidy_share'])} × {rate} × "
        f"{formats.number(result['poverty_line'])})"
    )
    facts = [
        ("Nhóm đối tượng", GROUP_LABELS_VI[result["group"]]),
        ("Thu nhập lựa chọn", formats.money(result["income"])),
        (f"Số phải đóng ({rate})", formats.money(result["gross"])),
        (subsidy, formats.money(result["subsidy"])),
        ("Người tham gia nộp", formats.money(result["payable"])),
    ]
    title = f"BHXH tự nguyện — ngày {formats.date(result['date'])}"
    _emit(result, as_json, facts_table(title, facts, bold="Người tham gia nộp"))


@calc_app.command("late-interest")
def late_interest_command(
    amount: Annotated[
        str, typer.Option("--amount", help="Số tiền chậm đóng (VND). / Late amount (VND).")
    ],
    days: Annotated[str, typer.Option("--days", help="Số ngày chậm đóng. / Days late.")],
    on: DateOption = None,
    as_json: JsonOpt = False,
) -> None:
    """Lãi chậm đóng. / Interest on a late amount."""
    result = _run(
        lambda: late_interest(
            _parse_int(amount, "Số tiền", "amount"),
            _parse_int(days, "Số ngày", "days"),
            _parse_date(on),
        )
    )

    facts = [
        ("Số tiền chậm đóng", formats.money(result["amount"])),
        ("Số ngày chậm đóng", formats.number(result["days"])),
        ("Lãi suất mỗi ngày", formats.rate(result["daily_rate"])),
        ("Tiền lãi", formats.money(result["interest"])),
        ("Tổng cộng phải nộp", formats.money(result["total"])),
    ]
    title = f"Lãi chậm đóng — ngày {formats.date(result['date'])}"
    _emit(result, as_json, facts_table(title, facts, bold="Tiền lãi"))


@calc_app.command("retirement-age")
def retirement_age_command(
    sex: Annotated[str, typer.Option("--sex", help="male | female (nam | nữ).")],
    birth: Annotated[
        str, typer.Option("--birth", help="Tháng năm sinh YYYY-MM. / Birth month YYYY-MM.")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Tuổi nghỉ hưu và tháng đủ tuổi (Nghị định 135/2020). / Retirement age (Decree 135/2020)."""
    result = _run(lambda: retirement_age(sex, birth))

    age = f"{result['years']} tuổi"
    if result["months"]:
        age += f" {result['months']} tháng"
    facts = [
        ("Giới tính", SEX_LABELS_VI[result["sex"]]),
        ("Tháng năm sinh", formats.month(result["birth_month"])),
        ("Tuổi nghỉ hưu", age),
        ("Tháng đủ tuổi nghỉ hưu", formats.month(result["reaches_on"])),
        ("Hưởng lương hưu từ tháng", formats.month(result["pension_from"])),
    ]
    title = "Tuổi nghỉ hưu trong điều kiện lao động bình thường"
    _emit(result, as_json, facts_table(title, facts, bold="Tuổi nghỉ hưu"))
