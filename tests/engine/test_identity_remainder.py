"""The remainder linkage of the identity step on hand-built rows: what the exact ID leaves is
linked with Splink (a mistyped ID, a name without diacritics, day and month swapped), a
near-tie goes to review, someone else's ID is flagged and counted for nobody; every
outcome is read back from the marts.  Expected values are chosen by hand below; the test
runs on DuckDB and on PySpark (the ``workspace`` fixture), so both backends agree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from baophu.cli import app
from baophu.engine.identity import (
    BY_LINKAGE,
    MART_OTHER_IDS,
    MART_REMAINDER,
    MART_REVIEW,
    MART_SPELLS,
    run_identity,
)
from baophu.ingest.importer import import_paths
from baophu.workspace import Workspace, init_workspace

UNITS = """Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Loại đơn vị,Mã tỉnh
75,Đồng Nai,province,,tỉnh,75
75BH01,BHXH cơ sở Biên Hòa,office,75,BHXH cơ sở,75
26734,Phường Biên Hòa,commune,75BH01,phường,75
26735,Xã Phú Lý,commune,75BH01,xã,75
26734001,Khu phố 1,hamlet,26734,khu phố,75
26735001,Ấp 1,hamlet,26735,ấp,75
"""
HOUSEHOLDS = """Mã hộ gia đình,Mã thôn/ấp,Địa chỉ,Số định danh chủ hộ
H1,26734001,12 Lê Lợi,075085000001
H2,26735001,Ấp 1 Phú Lý,075090000006
"""
# ID, name, sex, birth, household, hamlet
RESIDENTS = {
    "an": ("075085000001", "Nguyễn Văn An", "Nam", "1985-03-12", "H1", "26734001"),
    "binh": ("075185000002", "Trần Thị Bình", "Nữ", "1985-07-01", "H1", "26734001"),
    "xuan": ("075170000021", "Đặng Thị Xuân", "Nữ", "1970-11-04", "H1", "26734001"),
    "duc": ("075090000006", "Lê Văn Đức", "Nam", "1990-01-01", "H2", "26735001"),
    "hoa": ("075192000007", "Phạm Thị Hoa", "Nữ", "1992-05-05", "H2", "26735001"),
    # two residents alike in everything but their ID: a row without ID cannot choose
    "tam1": ("075200000011", "Võ Văn Tâm", "Nam", "2000-02-03", "H2", "26735001"),
    "tam2": ("075200000012", "Võ Văn Tâm", "Nam", "2000-02-03", "H2", "26735001"),
}
# enrolment id: ID as typed, name, sex, birth, hamlet
ENROLMENTS = {
    "QT01": ("075085000001", "Nguyễn Văn An", "Nam", "1985-03-12", "26734001"),  # exact
    "QT02": ("075185000020", "Trần Thị Bình", "Nữ", "1985-07-01", "26734001"),  # 02 → 20
    "QT03": ("", "Le Van Duc", "Nam", "1990-01-01", "26735001"),  # no ID, no diacritics
    "QT04": ("075170000027", "Đặng Thị Xuân", "Nữ", "1970-04-11", "26734001"),  # 1 → 7, swap
    "QT05": ("", "Võ Văn Tâm", "Nam", "2000-02-03", "26735001"),  # the near-tie
    "QT06": ("075192000007", "Đinh Thị Khánh", "Nữ", "1992-09-19", "26735001"),  # Hoa's ID
    "QT07": ("", "Trương Văn Lạ", "Nam", "1960-01-01", "26734001"),  # nobody
}


def _write(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(UNITS, encoding="utf-8")
    (folder / "households.csv").write_text(HOUSEHOLDS, encoding="utf-8")
    res = [
        "Số định danh cá nhân,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Mã hộ gia đình,"
        "Quan hệ với chủ hộ,Mã thôn/ấp,Số điện thoại,Mã số BHXH,Ngày mất"
    ]
    for pid, name, sex, birth, hh, hamlet in RESIDENTS.values():
        res.append(f"{pid},{name},{sex},{birth},Kinh,{hh},,{hamlet},,,")
    (folder / "residents.csv").write_text("\n".join(res) + "\n", encoding="utf-8")
    enr = [
        "Mã quá trình tham gia,Số định danh cá nhân,Họ và tên,Giới tính,Ngày sinh,Loại hình,"
        "Nhóm đối tượng,Đối tượng đóng,Mã đơn vị,Từ ngày,Đến ngày,Mức lương đóng,"
        "Mã tỉnh tham gia,Mã thôn/ấp nơi cư trú"
    ]
    for eid, (pid, name, sex, birth, hamlet) in ENROLMENTS.items():
        enr.append(
            f"{eid},{pid},{name},{sex},{birth},bhyt,household,household,,2026-01-01,"
            f"2026-12-31,,75,{hamlet}"
        )
    (folder / "enrolments.csv").write_text("\n".join(enr) + "\n", encoding="utf-8")


def _key(person: str) -> int:
    return int(RESIDENTS[person][0])


_BUILT: dict[str, dict[str, Any]] = {}


def _build(backend: str, tmp_path_factory: Any) -> dict[str, Any]:
    """The hand-built rows imported and the identity step run, once per backend."""
    if backend in _BUILT:
        return _BUILT[backend]
    base = tmp_path_factory.mktemp(f"remainder-{backend}")
    folder = base / "inputs"
    _write(folder)
    init_workspace(base / "ws", backend=backend)
    workspace = Workspace.open(base / "ws")
    with workspace.store() as store:
        result = import_paths(store, [folder], workspace.rejects_dir)
        assert result.committed, result.error
        summary = run_identity(store)
        links = store.read_mart(MART_REMAINDER).to_pyarrow().to_pylist()
        review = store.read_mart(MART_REVIEW).to_pyarrow().to_pylist()
        other = store.read_mart(MART_OTHER_IDS).to_pyarrow().to_pylist()
        spells = store.read_mart(MART_SPELLS).to_pyarrow().to_pylist()
    _BUILT[backend] = {
        "root": str(base / "ws"),
        "summary": summary,
        "links": {r["enrolment_id"]: r for r in links},
        "review": review,
        "other": other,
        "spells": spells,
    }
    return _BUILT[backend]


@pytest.fixture(scope="module", params=["duckdb", pytest.param("pyspark", marks=pytest.mark.spark)])
def identified(request: pytest.FixtureRequest, tmp_path_factory: Any) -> dict[str, Any]:
    return _build(request.param, tmp_path_factory)


@pytest.mark.spark
def test_spark_agrees_with_duckdb(tmp_path_factory: Any) -> None:
    """Every remainder decision, weight, level and explanation, and every spell, alike."""
    duck, spark = _build("duckdb", tmp_path_factory), _build("pyspark", tmp_path_factory)
    assert set(duck["links"]) == set(spark["links"])
    for eid, d in duck["links"].items():
        s = spark["links"][eid]
        for column, value in d.items():
            if isinstance(value, float):
                assert s[column] == pytest.approx(value), (eid, column)
            else:
                assert s[column] == value, (eid, column)

    def spells(built: dict[str, Any]) -> list[tuple[Any, ...]]:
        return sorted(
            (str(r["person_key"]), r["link_status"], str(r["start_date"])) for r in built["spells"]
        )

    assert spells(duck) == spells(spark)


def test_only_what_the_exact_id_leaves_is_compared(identified: dict[str, Any]) -> None:
    assert set(identified["links"]) == {"QT02", "QT03", "QT04", "QT05", "QT06", "QT07"}
    reasons = {e: r["unlinked_reason"] for e, r in identified["links"].items()}
    assert reasons["QT02"] == "id_not_in_register"
    assert reasons["QT03"] == "no_id"
    assert reasons["QT06"] == "id_conflict"


def test_mistyped_id_linked_with_weight_and_explanation(identified: dict[str, Any]) -> None:
    row = identified["links"]["QT02"]
    assert row["decision"] == "linked"
    assert row["person_key"] == _key("binh")
    assert row["match_weight"] >= 10
    assert row["id_level"] == "near"
    assert row["explanation"].startswith("Họ tên khớp; ngày sinh khớp")
    assert "số định danh sai 1–2 chữ số" in row["explanation"]
    assert "cùng thôn/ấp" in row["explanation"]


def test_name_without_diacritics_linked(identified: dict[str, Any]) -> None:
    row = identified["links"]["QT03"]
    assert (row["decision"], row["person_key"]) == ("linked", _key("duc"))
    assert row["name_level"] == "folded"
    assert row["explanation"].startswith("Họ tên khớp khi bỏ dấu")
    assert "không có số định danh" in row["explanation"]


def test_day_month_swap_linked(identified: dict[str, Any]) -> None:
    row = identified["links"]["QT04"]
    assert (row["decision"], row["person_key"]) == ("linked", _key("xuan"))
    assert row["birth_level"] == "swapped"
    assert "ngày sinh đảo ngày/tháng" in row["explanation"]


def test_near_tie_goes_to_review(identified: dict[str, Any]) -> None:
    row = identified["links"]["QT05"]
    assert row["decision"] == "review"
    assert row["person_key"] is None
    assert {row["candidate_key"], row["runner_up_key"]} == {_key("tam1"), _key("tam2")}
    assert row["match_weight"] == pytest.approx(row["runner_up_weight"])
    assert "cần người xem xét" in row["explanation"]
    assert [r["enrolment_id"] for r in identified["review"]] == ["QT05"]


def test_someone_elses_id_flagged_and_not_counted(identified: dict[str, Any]) -> None:
    row = identified["links"]["QT06"]
    assert row["other_id"] is True
    assert row["owner_key"] == _key("hoa")
    assert row["decision"] == "unlinked" and row["person_key"] is None
    (other,) = identified["other"]
    assert other["enrolment_id"] == "QT06"
    assert other["owner_key"] == _key("hoa")
    assert other["explanation"].startswith("Số định danh là của một người khác")
    assert "không tính cho người có số định danh đó" in other["explanation"]
    # Hoa has no spell: the row carrying her ID is nobody's
    assert _key("hoa") not in {s["person_key"] for s in identified["spells"]}


def test_nobody_fits(identified: dict[str, Any]) -> None:
    row = identified["links"]["QT07"]
    assert row["decision"] == "unlinked" and row["candidate_key"] is None
    assert row["explanation"] == "Không tìm thấy người phù hợp trong dữ liệu dân cư"


def test_accepted_links_reach_the_spells(identified: dict[str, Any]) -> None:
    by_key: dict[Any, set[int]] = {}
    for s in identified["spells"]:
        by_key.setdefault(s["person_key"], set()).add(s["link_status"])
    assert by_key[_key("an")] == {0}  # the exact ID
    for person in ("binh", "duc", "xuan"):
        assert by_key[_key(person)] == {BY_LINKAGE}
    assert _key("tam1") not in by_key and _key("tam2") not in by_key
    rows = identified["summary"]["rows"]
    assert rows[MART_REMAINDER] == 6 and rows[MART_REVIEW] == 1 and rows[MART_OTHER_IDS] == 1


def test_command_lists_review_and_someone_elses_id(identified: dict[str, Any]) -> None:
    """``baophu link enrolments``: the rows to review and those carrying someone else's ID,
    IDs masked to their last four digits, on either backend."""
    runner = CliRunner()
    result = runner.invoke(app, ["link", "enrolments", "-w", identified["root"], "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["counts"] == {"linked": 3, "review": 1, "unlinked": 2, "other_id": 1}
    (row,) = out["rows"]
    assert row["enrolment_id"] == "QT05"
    assert {row["candidate"], row["runner_up"]} == {"********0011", "********0012"}
    result = runner.invoke(
        app, ["link", "enrolments", "-w", identified["root"], "--decision", "other_id", "--json"]
    )
    (row,) = json.loads(result.output)["rows"]
    assert (row["enrolment_id"], row["id_owner"]) == ("QT06", "********0007")
    text = runner.invoke(app, ["link", "enrolments", "-w", identified["root"]]).output
    assert "Cần xem xét" in text and "QT05" in text
