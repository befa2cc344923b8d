"""The generator is deterministic, accepts any of the 34 provinces, and rejects others."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from baophu.synth.generator import generate
from baophu.synth.geography import MERGERS, provinces


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def seed_3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Đồng Nai at 0.002, seed 3: generated once, compared with each run below."""
    folder = tmp_path_factory.mktemp("seed-3")
    generate("Đồng Nai", 0.002, 3, folder)
    return folder


def test_same_seed_gives_byte_identical_files(seed_3: Path, tmp_path: Path) -> None:
    generate("dong nai", 0.002, 3, tmp_path / "b")
    a, b = _digests(seed_3), _digests(tmp_path / "b")
    assert a == b
    assert len(a) > 200  # 95 household lists + 95 rosters + tables + truth


def test_no_forms_leaves_out_the_forms_and_nothing_else(seed_3: Path, tmp_path: Path) -> None:
    """``baophu synth --no-forms``: no sample form and no agent's receipt or transfer, and
    every other input and truth file byte for byte the run with them (the forms are drawn
    last, from what is already written)."""
    from typer.testing import CliRunner

    from baophu.cli import app

    out = tmp_path / "b"
    args = ["synth", "--province", "Đồng Nai", "--scale", "0.002", "--seed", "3"]
    result = CliRunner().invoke(app, [*args, "--no-forms", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    with_forms, without = _digests(seed_3), _digests(out)
    left_out = set(with_forms) - set(without)
    agents_money = {
        "inputs/agent_receipts.parquet",
        "inputs/agent_remittances.parquet",
        "truth/agents_money.parquet",
    }
    forms = ("inputs/forms/", "truth/forms/", "forms_malformed/")
    assert {n for n in left_out if not n.startswith(forms)} == agents_money
    assert any(n.startswith("inputs/forms/") for n in left_out)
    assert not set(without) - set(with_forms)
    summary = json.loads((out / "truth" / "summary.json").read_text(encoding="utf-8"))
    assert summary["forms"] is None and summary["agents_money"] is None
    for name in without:
        if name != "truth/summary.json":  # it counts the forms drawn
            assert without[name] == with_forms[name], name


def test_another_seed_gives_other_data(seed_3: Path, tmp_path: Path) -> None:
    generate("Đồng Nai", 0.002, 4, tmp_path / "b")
    a = pq.read_table(seed_3 / "inputs" / "residents.parquet")
    b = pq.read_table(tmp_path / "b" / "inputs" / "residents.parquet")
    assert not a.equals(b)
    # the real communes do not depend on the seed; the generated hamlets do
    units = [
        pd.read_csv(folder / "inputs" / "units.csv", dtype=str, encoding="utf-8-sig")
        for folder in (seed_3, tmp_path / "b")
    ]
    communes = [set(u[u["Cấp"] == "commune"]["Mã đơn vị"]) for u in units]
    assert communes[0] == communes[1] and len(communes[0]) == 95


def test_gia_lai_works(tmp_path: Path) -> None:
    summary = generate("Gia Lai", 0.002, 1, tmp_path)
    assert summary["province_code"] == "52"
    assert summary["communes"] == 135
    assert summary["population"] == pytest.approx(3_580_000 * 0.002, rel=0.02)
    residents = pq.read_table(tmp_path / "inputs" / "residents.parquet").to_pandas()
    # natives of Gia Lai (064) and Bình Định (052) dominate
    assert residents["person_id"].str[:3].isin(["064", "052"]).mean() > 0.7
    assert residents["ethnicity"].value_counts().index[0] == "Kinh"
    assert (residents["ethnicity"] != "Kinh").mean() > 0.1
    units = pd.read_csv(tmp_path / "inputs" / "units.csv", dtype=str, encoding="utf-8-sig")
    hamlets = units[units["Cấp"] == "hamlet"]
    assert hamlets["Tên đơn vị"].str.match(r"^(Thôn|Khu phố) ").all()
    saved = json.loads((tmp_path / "truth" / "summary.json").read_text(encoding="utf-8"))
    assert saved["province"] == "Gia Lai"


def test_unknown_province_lists_the_valid_names(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as err:
        generate("Sài Gòn Mới", 0.002, 1, tmp_path)
    assert "Đồng Nai" in str(err.value) and "Gia Lai" in str(err.value)


def test_the_merger_table_covers_the_63_old_provinces() -> None:
    from baophu.contracts.person_id import BIRTH_PROVINCE_CODES

    old = [f"{c:03d}" for codes in MERGERS.values() for c in codes]
    assert len(old) == 63 and set(old) == BIRTH_PROVINCE_CODES
    assert len(provinces()) == 34
    assert MERGERS[75] == (75, 70)
