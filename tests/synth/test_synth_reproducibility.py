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
