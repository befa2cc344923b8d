"""``baophu link`` and ``baophu link review``: counts as JSON and as a Vietnamese table, the
review list with both records, personal IDs masked to their last four digits."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from test_linkage_truth import shared_small_build
from typer.testing import CliRunner

from baophu.cli import app

runner = CliRunner()
TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Both lists of a small synthetic province linked (the truth tests' larger province
    measures precision and recall; the commands need only a linked workspace), a copy of
    the build the Spark comparison's DuckDB side reads (made once for every worker)."""
    return shared_small_build(tmp_path_factory.mktemp("linkage-cli") / "ws")


def _ws(built: dict[str, Any]) -> str:
    return str(built["workspace"].root)


def test_link_prints_counts_as_json(linked: dict[str, Any]) -> None:
    result = runner.invoke(app, ["link", "--source", "school_rosters", "-w", _ws(linked), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    counts = payload["counts"]["school_rosters"]
    assert set(counts) == {"linked_exact", "linked_probabilistic", "review", "unlinked", "rows"}
    assert counts == linked["summary"]["counts"]["school_rosters"]
    assert counts["rows"] == sum(v for k, v in counts.items() if k != "rows")
    assert payload["thresholds"]["link_weight"] > payload["thresholds"]["review_weight"]
    assert "household_classifications" in payload["counts"]  # kept from the earlier run


def test_link_table_in_vietnamese(linked: dict[str, Any], monkeypatch: Any) -> None:
    from baophu.commands.common import console

    monkeypatch.setattr(console, "width", 200)
    result = runner.invoke(
        app, ["link", "--source", "household_classifications", "-w", _ws(linked)]
    )
    assert result.exit_code == 0, result.output
    for words in ("Khớp số định danh", "Khớp theo mô hình", "Cần xem xét", "Danh sách hộ"):
        assert words in result.stdout


def test_review_lists_both_records_with_masked_ids(linked: dict[str, Any]) -> None:
    result = runner.invoke(app, ["link", "review", "-w", _ws(linked), "--json", "--limit", "500"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["total"] >= 1 and payload["pairs"]
    twin = [p for p in payload["pairs"] if p["record_id"] == linked["twin"]["record_id"]]
    assert len(twin) == 1
    pair = twin[0]
    assert pair["list"]["full_name"] == pair["candidate"]["full_name"]
    assert pair["candidate"]["person_id"].startswith("********")
    assert len(pair["candidate"]["person_id"]) == 12
    assert pair["explanation"]
    assert not TWELVE_DIGITS.search(result.stdout), "a full personal ID was printed"

    table = runner.invoke(app, ["link", "review", "-w", _ws(linked), "--limit", "3"])
    assert table.exit_code == 0, table.output
    assert "Cặp cần xem xét" in table.stdout
    assert not TWELVE_DIGITS.search(table.stdout)


@pytest.mark.parametrize(
    "args",
    [["link", "--source", "payments"], ["link", "review", "--source", "payments"]],
)
def test_unknown_list_is_a_clear_error(linked: dict[str, Any], args: list[str]) -> None:
    result = runner.invoke(app, [*args, "-w", _ws(linked)])
    assert result.exit_code == 2
    assert "payments" in result.output


def test_missing_workspace_exits_2(tmp_path: Any) -> None:
    result = runner.invoke(app, ["link", "-w", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
