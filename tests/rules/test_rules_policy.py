"""The policy file (list windows, thresholds, the arrears-ratio ceiling) and the texts that
quote legal figures, rendered from the data."""

from __future__ import annotations

import ast
import copy
import tomllib
from datetime import date
from pathlib import Path

import pytest

from baophu.rules import budget_paid, get_policy, get_rules, wording
from baophu.rules.parameters import DEFAULT_PATH, POLICY_PATH, Rules

SRC = Path(__file__).resolve().parents[2] / "src" / "baophu"


@pytest.fixture(scope="module")
def raw_policy() -> dict:
    with POLICY_PATH.open("rb") as handle:
        return tomllib.load(handle)


def test_policy_file_is_versioned_and_sourced(raw_policy: dict) -> None:
    assert isinstance(raw_policy["policy_version"], str) and raw_policy["policy_version"]
    assert get_policy().version == raw_policy["policy_version"]
    for entry in raw_policy["param"]:
        assert entry["source"].strip() and isinstance(entry["effective_from"], date)
    keys = {e["key"] for e in raw_policy["param"]}
    assert keys == {
        "lists.due_days",
        "lists.subsidy_days",
        "compliance.arrears_ratio_ceiling",
        "compliance.long_arrears_months",
        "compliance.large_arrears_vnd",
        "compliance.inspection_min_score",
        "claims.readmission_days",
        "claims.long_stay_factor",
        "claims.indicator_period_months",
        "claims.peer_high_percentile",
        "claims.peer_low_percentile",
        "claims.outlier_z",
        "claims.score_cap",
        "claims.projection_recent_months",
        "claims.review_list_size",
        "compliance.evasion_points",
        "compliance.evasion_thresholds",
        "compliance.normal_payroll_ratio",
        "risk.remittance_due_days",
    }


def test_evasion_policy_read_by_date() -> None:
    """The evasion points and thresholds come from the policy file (docs/compliance.md)."""
    from baophu.engine.compliance.params import EvasionPolicy

    ev = EvasionPolicy.on(date(2026, 10, 31))
    assert ev.points["headcount_gap"] == (50, 40, 25)
    assert ev.points["unregistered"] == (70, 30)
    assert (ev.strong_payroll_ratio, ev.weak_payroll_ratio) == (1.4, 1.25)
    assert ev.normal_payroll_ratio == 1.15
    assert ev.unregistered_active_days == 90


def test_policy_values_by_date() -> None:
    policy = get_policy()
    on = date(2026, 10, 31)
    assert policy.value("lists.due_days", on) == 30
    assert policy.value("lists.subsidy_days", on) == 60
    assert policy.value("compliance.arrears_ratio_ceiling", on) == 0.0255
    assert policy.value("compliance.large_arrears_vnd", on) == 500_000_000
    assert policy.entry("compliance.arrears_ratio_ceiling", on).status == "unverified"


def test_no_ceiling_before_the_first_target() -> None:
    from baophu.engine.compliance.params import ListCriteria, arrears_ratio_ceiling

    assert arrears_ratio_ceiling(date(2024, 12, 31)) is None
    assert arrears_ratio_ceiling(date(2025, 1, 1)) == 0.0255
    crit = ListCriteria.on(date(2026, 1, 31))
    assert (crit.long_arrears_months, crit.large_arrears_vnd, crit.inspection_min_score) == (
        3,
        500_000_000,
        40,
    )


def _rules_with(changes: dict[str, object], on: date) -> Rules:
    """The live parameter file with the values of ``changes`` replaced from ``on``."""
    with DEFAULT_PATH.open("rb") as handle:
        data = tomllib.load(handle)
    params = copy.deepcopy(data["param"])
    for key, value in changes.items():
        current = [e for e in params if e["key"] == key and "effective_to" not in e]
        assert len(current) == 1, key
        current[0]["effective_to"] = date.fromordinal(on.toordinal() - 1)
        params.append({**current[0], "value": value, "effective_from": on})
        params[-1].pop("effective_to")
    return Rules.from_mapping({"rule_version": "test.wording", "param": params})


def test_texts_quote_the_figures_in_force() -> None:
    on = date(2026, 10, 31)
    assert wording.evasion_days(on) == "60 ngày"
    assert wording.daily_interest(on) == "0,03%/ngày"
    assert wording.notice_legal_note(on) == (
        "Hạn đóng: ngày cuối cùng của tháng liền sau tháng phải đóng. Số tiền chậm đóng phải "
        "nộp thêm lãi 0,03%/ngày; quá 60 ngày kể từ hạn đóng là trốn đóng "
        "(Luật BHXH số 41/2024/QH15)."
    )
    assert wording.evasion_label(on) == "Trốn đóng (quá 60 ngày)"
    # before Law 41/2024 (2025-07-01) no delay defines evasion: the texts do not invent one
    assert wording.evasion_days(date(2025, 6, 30)) is None
    assert "trốn đóng" not in wording.notice_legal_note(date(2025, 6, 30))


def test_a_new_decree_changes_the_texts() -> None:
    changed = _rules_with(
        {"late.days_to_evasion": 90, "late_interest.daily_rate": 0.0005}, date(2027, 1, 1)
    )
    assert wording.evasion_days(date(2026, 12, 31), changed) == "60 ngày"
    assert wording.evasion_days(date(2027, 1, 1), changed) == "90 ngày"
    assert wording.daily_interest(date(2027, 1, 1), changed) == "0,05%/ngày"
    assert "quá 90 ngày" in wording.notice_legal_note(date(2027, 1, 1), changed)
    assert wording.evasion_basis(date(2027, 1, 1), changed).startswith(
        "Trốn đóng: số tiền chậm đóng quá 90 ngày kể từ hạn đóng"
    )


def test_budget_paid_groups_by_date() -> None:
    assert budget_paid.child_under_age(date(2026, 1, 1)) == 6
    assert budget_paid.new_groups(date(2025, 6, 30)) is None  # before the amended law
    groups = budget_paid.new_groups(date(2025, 7, 1))
    assert groups is not None
    assert (groups.survivor_min_age, groups.survivor_near_poor_min_age) == (75, 70)
    assert groups.social_pension and budget_paid.law_start() == date(2025, 7, 1)
    assert get_rules().entry("bhyt.amended_law_new_groups", date(2026, 1, 1)).status


# Legal figures that once stood in code and user-facing text; they live in the parameter and
# policy files now.  The synthetic generator (its own copy of the law, on another branch)
# and the evasion signals (engine/compliance/evasion.py, another branch) are left out.
HARD_CODED = ("60 ngày", "0,03%", "0,03 %", "2,55", "0.0255", "SURVIVOR_", "age < 6")


def _code(path: Path) -> str:
    """A module's code without its docstrings and comments (which may name the figures)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
        if docstring and isinstance(first.value.value, str):  # type: ignore[union-attr]
            body[0] = ast.Pass()  # type: ignore[index]
    return ast.unparse(tree)


def test_no_legal_figure_is_typed_into_code_or_templates() -> None:
    found = []
    for path in sorted(SRC.rglob("*")):
        rel = path.relative_to(SRC)
        if path.suffix not in (".py", ".html") or rel.parts[0] == "synth":
            continue
        if rel.as_posix() == "engine/compliance/evasion.py":
            continue
        text = _code(path) if path.suffix == ".py" else path.read_text(encoding="utf-8")
        found += [f"{rel}: {needle}" for needle in HARD_CODED if needle in text]
    assert not found


def test_the_guard_sees_code_but_not_docstrings(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text('"""quá 60 ngày"""\nX = "quá 60 ngày"  # 0,03%\n', encoding="utf-8")
    assert "60 ngày" in _code(sample) and "0,03%" not in _code(sample)
    sample.write_text('"""quá 60 ngày"""\n', encoding="utf-8")
    assert "60 ngày" not in _code(sample)
