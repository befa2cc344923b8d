"""Every claim check on hand-made claims, edges included: a stay of exactly four hours, a card
ending on the discharge day, a card renewed mid-stay (";"-joined card fields).  Expected
flags and amounts are worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import claims_hand as ch
from claims_hand import cb

from baophu.engine.claims import MART_FLAGS, MART_REVIEW, run_claims
from baophu.ingest.importer import import_paths

pytestmark = pytest.mark.timeout(600)
DAY = dt.date(2025, 3, 31)


def scenario() -> tuple[list[dict], list[dict], list[dict]]:
    claims: list[dict] = []
    drugs: list[dict] = []
    services: list[dict] = []
    # bed-days: exactly 4 h (09) is not flagged; 3 h 59 (09) and an outpatient visit (01) are.
    for lk, n, care, vao, ra in (
        ("BED4H", 1, "09", "202503100800", "202503101200"),
        ("BED359", 2, "09", "202503100800", "202503101159"),
        ("BEDOUT", 3, "01", "202503100800", "202503100900"),
    ):
        claims.append(cb.claim(lk, **ch.person(n), MA_LOAI_KCB=care, NGAY_VAO=vao, NGAY_RA=ra))
        services.append(cb.service(lk, 1, MA_NHOM="15", MA_GIUONG="H001", MA_DICH_VU="K15.1"))
    # card validity: ends on the discharge day (valid); renewed mid-stay (valid);
    # expired two days before discharge (flagged: 2 of 5 days outside, 160,000 × 2/5 = 64,000).
    claims.append(ch.stay("CARDEND", 4, "202503250800", "202503311000", 7, GT_THE_DEN="20250331"))
    renewed = {
        "MA_THE_BHYT": "GD4750900000005;GD4750900000055",
        "MA_DKBD": "75001;75001",
        "GT_THE_TU": "20250101;20250401",
        "GT_THE_DEN": "20250331;20251231",
    }
    claims.append(ch.stay("RENEWED", 5, "202503280800", "202504030900", 7, **renewed))
    claims[-1].update(SO_CCCD=ch.person(5)["SO_CCCD"])
    claims.append(ch.stay("EXPIRED", 6, "202503290800", "202504021000", 5, GT_THE_DEN="20250331"))
    # a dead person's card: Lê Văn Tư died 01/02/2025, visit on 10/03/2025 (160,000)
    claims.append(cb.claim("DEAD", SO_CCCD="075060000009", MA_THE_BHYT="HT4750600000009"))
    # one card at 75001 (office 1) and 75003 (office 2) the same day: one flag, on the later;
    # at 75001 and 75002 (same office) the same day: none.
    claims.append(cb.claim("FAR1", **ch.person(7), NGAY_VAO="202503120800", NGAY_RA="202503120900"))
    claims.append(cb.claim("FAR2", **ch.person(7), NGAY_VAO="202503121400", NGAY_RA="202503121500",
                           MA_CSKCB="75003"))  # fmt: skip
    claims.append(
        cb.claim("NEAR1", **ch.person(8), NGAY_VAO="202503120800", NGAY_RA="202503120900")
    )
    claims.append(cb.claim("NEAR2", **ch.person(8), NGAY_VAO="202503121400", NGAY_RA="202503121500",
                           MA_CSKCB="75002"))  # fmt: skip
    # split admission: out 05/03, back 07/03 (2 days) same diagnosis: flagged;
    # out 05/03, back 08/03 (3 days): not.
    claims.append(ch.stay("SPLITA", 9, "202503010800", "202503051000", 5))
    claims.append(ch.stay("SPLITB", 9, "202503070800", "202503091000", 3))
    claims.append(ch.stay("GAPA", 10, "202503010800", "202503051000", 5))
    claims.append(ch.stay("GAPB", 10, "202503080800", "202503101000", 3))
    # long stay: J18.9 stays above last 5, 3, 5, 3, 7 (all of the stays above), and 40 days:
    claims.append(ch.stay("LONG", 11, "202502010800", "202503121000", 40))
    # duplicate: same person, facility, day and lines, 15 minutes apart: the copy is flagged;
    # same person and day at the same facility with other lines: not.
    for lk, at in (("DUP1", "202503140800"), ("DUP2", "202503140815")):
        claims.append(cb.claim(lk, **ch.person(12), NGAY_VAO=at, NGAY_RA="202503141000"))
        drugs.append(cb.drug(lk, 1))
    # price above tender: 13,800 against 12,000; the fund pays 96,000 on the line:
    # 96,000 × 1,800 / 13,800 = 12,521.739… → 12,522.  At the tender price: nothing.
    claims.append(
        cb.claim("PRICE", **ch.person(13), NGAY_VAO="202503200800", NGAY_RA="202503200900")
    )
    drugs.append(
        cb.drug("PRICE", 1, DON_GIA="13800", THANH_TIEN_BV="138000", THANH_TIEN_BH="138000")
    )
    claims.append(
        cb.claim("FAIR", **ch.person(14), NGAY_VAO="202503210800", NGAY_RA="202503210900")
    )
    drugs.append(cb.drug("FAIR", 1))
    return claims, drugs, services


@pytest.fixture(scope="module")
def duck_ws(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The hand-made claims imported into DuckDB and the claims step run, once for the
    module (its flags read by the rules' tests, its marts by the comparison with Spark)."""
    from baophu.workspace import Workspace, init_workspace

    root = tmp_path_factory.mktemp("claims-hand")
    inputs = root / "inputs"
    written = scenario()
    ch.write(inputs, *written)
    init_workspace(root / "ws")
    ws = Workspace.open(root / "ws")
    with ws.store() as store:
        result = import_paths(store, [inputs], ws.rejects_dir)
        assert result.committed, result.error
        assert store.row_count("claims") == 20  # every claim written above
        run_claims(store, DAY)
    return ws


@pytest.fixture(scope="module")
def flags(duck_ws: Any) -> dict[str, dict]:
    with duck_ws.store() as store:
        rows = store.read_mart(MART_FLAGS).to_pyarrow().to_pylist()
        review = store.read_mart(MART_REVIEW).to_pyarrow().to_pylist()
    assert len(review) == len({(r["facility_code"], r["claim_code"]) for r in rows})
    # the review list names each patient as the claim does (XML1 HO_TEN)
    names = {c["MA_LK"]: c["HO_TEN"] for c in scenario()[0]}
    assert [r["full_name"] for r in review] == [names[r["claim_code"]] for r in review]
    return {f"{r['rule']}:{r['claim_code']}": r for r in rows}


def flagged(flags: dict[str, dict], rule: str) -> set[str]:
    return {k.split(":", 1)[1] for k in flags if k.startswith(rule + ":")}


def test_bed_days_on_short_stays_and_outpatient_visits(flags: dict[str, dict]) -> None:
    assert flagged(flags, "bed_on_outpatient") == {"BED359", "BEDOUT"}
    assert flags["bed_on_outpatient:BED359"]["amount_at_stake"] == 64000
    assert flags["bed_on_outpatient:BEDOUT"]["amount_at_stake"] == 64000


def test_card_validity_edges(flags: dict[str, dict]) -> None:
    assert flagged(flags, "outside_card_validity") == {"EXPIRED"}
    assert flags["outside_card_validity:EXPIRED"]["observed"] == 2
    assert flags["outside_card_validity:EXPIRED"]["amount_at_stake"] == 64000


def test_dead_persons_card(flags: dict[str, dict]) -> None:
    assert flagged(flags, "dead_card") == {"DEAD"}
    assert flags["dead_card:DEAD"]["observed"] == 37  # 01/02 → 10/03/2025
    assert flags["dead_card:DEAD"]["amount_at_stake"] == 160000


def test_two_distant_facilities_same_day(flags: dict[str, dict]) -> None:
    assert flagged(flags, "two_facilities_same_day") == {"FAR2"}
    far = flags["two_facilities_same_day:FAR2"]
    assert (far["paired_claim_code"], far["paired_facility_code"]) == ("FAR1", "75001")
    assert far["amount_at_stake"] == 160000


def test_split_admission_within_two_days(flags: dict[str, dict]) -> None:
    assert flagged(flags, "split_admission") == {"SPLITB"}
    assert flags["split_admission:SPLITB"]["paired_claim_code"] == "SPLITA"
    assert flags["split_admission:SPLITB"]["observed"] == 2


def test_long_stay_against_the_diagnosis_mean(flags: dict[str, dict]) -> None:
    # J18.9 stays: 7 + 7 + 5 + 5 + 3 + 5 + 3 + 40 = 75 days over 8 stays: mean 9.375;
    # 40 > 3 × 9.375 = 28.125; at stake 160,000 × (40 − 9.375) / 40 = 122,500.
    assert flagged(flags, "long_stay") == {"LONG"}
    assert flags["long_stay:LONG"]["expected"] == pytest.approx(9.375)
    assert flags["long_stay:LONG"]["amount_at_stake"] == 122500


def test_duplicate_claim_flags_the_copy(flags: dict[str, dict]) -> None:
    assert flagged(flags, "duplicate_claim") == {"DUP2"}
    assert flags["duplicate_claim:DUP2"]["paired_claim_code"] == "DUP1"


def test_price_above_tender(flags: dict[str, dict]) -> None:
    assert flagged(flags, "price_above_tender") == {"PRICE"}
    assert flags["price_above_tender:PRICE"]["observed"] == pytest.approx(13800 / 12000)
    assert flags["price_above_tender:PRICE"]["amount_at_stake"] == 12522


def _marts(store: Any) -> dict[str, list[dict]]:
    """Every claims mart's rows, floats rounded, in a stable order."""
    from baophu.engine.claims import MARTS

    out: dict[str, list[dict]] = {}
    for mart in MARTS:
        rows = store.read_mart(mart).to_pyarrow().to_pylist()
        rows = [{k: round(v, 6) if isinstance(v, float) else v for k, v in r.items()}
                for r in rows]  # fmt: skip
        out[mart] = sorted(rows, key=lambda r: [str(v) for v in r.values()])
    return out


@pytest.mark.spark
@pytest.mark.slow
def test_duckdb_and_spark_agree(duck_ws: Any, tmp_path: Path) -> None:
    """Every claims mart, row for row, on DuckDB and on PySpark (the same files imported
    into a Spark workspace and the step run there)."""
    from baophu.workspace import Workspace, init_workspace

    inputs = tmp_path / "inputs"
    ch.write(inputs, *scenario())
    init_workspace(tmp_path / "ws", backend="pyspark")
    ws = Workspace.open(tmp_path / "ws")
    with ws.store() as store:
        assert import_paths(store, [inputs], ws.rejects_dir).committed
        run_claims(store, DAY)
        spark = _marts(store)
    with duck_ws.store() as store:
        duck = _marts(store)
    assert duck[MART_FLAGS]
    for mart, rows in duck.items():
        assert spark[mart] == rows, mart
