"""The operational side of issue 11: audit details never hold a personal ID or phone and
every event carries a role (items 4, 24); migration 0004 (session generation, login throttle)
on SQLite and PostgreSQL (items 7, 9); target values checked before they are stored (item 12).
Expected values written by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from baophu.operational import AuditEvent, LoginThrottle, User
from baophu.operational.audit_labels import detail_vi
from baophu.operational.db import OperationalDB, current_revision, upgrade
from baophu.operational.target_values import (
    TargetValueError,
    UnitFigures,
    figures_from_row,
    parse_target_value,
    validated_target,
)


def test_audit_details_are_masked_and_carry_a_role(operational_url: str) -> None:
    db = OperationalDB.connect(operational_url)
    try:
        db.audit(
            "an",
            "record",
            "field_outcome",
            role="collector",
            detail="row_key=075085000001; gọi 0901 234 567",
        )
        db.audit("thu", "export", "work_workbooks", detail="mã BHXH 7512345678")  # the CLI
        with db.session() as s:
            events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        assert [e.detail for e in events] == [
            "row_key=********0001; gọi **** **4 567",
            "mã BHXH ******5678",
        ]
        assert [e.role for e in events] == ["collector", "command_line"]
    finally:
        db.dispose()


def test_outcome_events_have_the_recorders_role(operational_url: str) -> None:
    from baophu.operational.outcomes import record_outcome

    db = OperationalDB.connect(operational_url)
    try:
        person = {"row_key": "075085000001", "person_key": 75085000001, "hamlet_code": "26734001"}
        record_outcome(db, person, "enrolled", "thu", collector_code="C1", role="collector")
        with db.session() as s:
            event = s.scalars(select(AuditEvent)).one()
        assert event.role == "collector" and event.action == "record"
        assert event.detail == "kết quả: Đã tham gia; người: ********0001"
    finally:
        db.dispose()


def test_english_details_of_older_events_read_in_vietnamese() -> None:
    assert detail_vi("page=1, sort=late") == "trang: 1, sắp xếp: số tiền chậm đóng"
    assert (
        detail_vi("batch=b1; committed=True; files=3; error=", None)
        == "lô: b1; đã ghi vào dữ liệu: có; số tệp: 3; lỗi: "
    )
    assert detail_vi("reason=not_covered", {"not_covered": "Chưa tham gia BHYT"}) == (
        "lý do: Chưa tham gia BHYT"
    )
    assert detail_vi("quận 1") == "quận 1" and detail_vi(None) == ""


def test_migration_0004_from_0003(operational_url: str) -> None:
    from baophu.operational.db import make_engine

    engine = make_engine(operational_url)
    try:
        upgrade(engine, "0003")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (username, full_name, password_hash, role, active, "
                    "failed_logins, locked_until, created_at) VALUES ('lan', 'Lan', 'h', "
                    "'collector', TRUE, 4, :until, :now)"
                ),
                {"until": dt.datetime(2099, 1, 1), "now": dt.datetime(2026, 1, 1)},
            )
        upgrade(engine, "0004")
        assert current_revision(engine) == "0004"
        db = OperationalDB(engine)
        with db.session() as s:
            user = s.scalars(select(User)).one()
            assert user.session_generation == 0
            assert user.locked_until is None and user.failed_logins == 0
            s.add(LoginThrottle(username="lan", address="192.0.2.1", failures=1))
        with db.session() as s:
            assert s.get(LoginThrottle, ("lan", "192.0.2.1")).failures == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("typed", "is_rate", "expected"),
    [
        ("96%", True, 0.96),
        ("96,5%", True, 0.965),
        ("96", True, 0.96),
        ("0,96", True, 0.96),
        ("0.96", True, 0.96),
        ("1.115.590", False, 1_115_590.0),
        ("1,115,590", False, 1_115_590.0),
        ("40", False, 40.0),
    ],
)
def test_target_values_as_people_write_them(typed: str, is_rate: bool, expected: float) -> None:
    assert parse_target_value(typed, is_rate) == pytest.approx(expected)


HAMLET = UnitFigures(population=40, denominator=40, achieved=31)


@pytest.mark.parametrize(
    ("typed", "is_rate", "denominator"),
    [
        ("-1", False, None),
        ("0", False, None),
        ("١", False, None),  # an Arabic-Indic one
        ("²", False, None),
        ("1.000.000", False, None),  # for a hamlet of 40
        ("41", False, None),
        ("12,5", False, None),  # people are whole
        ("NaN", True, None),
        ("inf", True, None),
        ("1e3", True, None),
        ("150%", True, None),
        ("0%", True, None),
        ("96%", True, "0"),
        ("96%", True, "-1"),
        ("96%", True, "1.000.000"),
        ("96%", True, "abc"),
        ("96%", True, "1" * 23),
    ],
)
def test_implausible_targets_are_refused(
    typed: str, is_rate: bool, denominator: str | None
) -> None:
    with pytest.raises(TargetValueError) as info:
        validated_target(typed, is_rate=is_rate, denominator=denominator, figures=HAMLET)
    assert " / " in str(info.value) and info.value.vi  # Vietnamese and English


def test_plausible_targets_pass() -> None:
    assert validated_target("40", is_rate=False, denominator=None, figures=HAMLET) == (40.0, None)
    assert validated_target("100%", is_rate=True, denominator="40", figures=HAMLET) == (1.0, 40)
    # an industrial ward: more workers required to participate than residents
    ward = figures_from_row(
        {"population": 1000, "compulsory_required": 5000, "compulsory_participants": 4200},
        "compulsory_participants",
        "compulsory_required",
    )
    assert ward.bound == 5000
    assert validated_target("4.800", is_rate=False, denominator=None, figures=ward)[0] == 4800
    # units without coverage figures (agents, officers): no bound
    assert validated_target("1.000.000", is_rate=False, denominator=None, figures=UnitFigures())
    # a hamlet nobody lives in takes no target of people
    with pytest.raises(TargetValueError):
        validated_target("1", is_rate=False, denominator=None, figures=UnitFigures(0, 0, 0))
