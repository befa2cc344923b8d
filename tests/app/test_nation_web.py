"""The national view on the web: a national workspace (three hand-made provinces, ranked by
``tests/nation_hand.py``) served to the national analyst, with every figure checked against
the hand computation; province roles refused it; the national analyst refused everything of
a province.  (On a province's server the scope matrix covers the national role too.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import PASSWORD, login

from nation_hand import make_nation, rank


@pytest.fixture(scope="module")
def nation_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from fastapi.testclient import TestClient

    from baophu.app.main import AppSettings, create_app
    from baophu.operational.db import OperationalDB
    from baophu.operational.users import create_user, seed_demo_users

    root = tmp_path_factory.mktemp("site")
    ws = make_nation(root / "nation")
    rank(ws)
    _hand_cross_pairs(ws)
    db = OperationalDB.connect(f"sqlite:///{root / 'operational.sqlite'}")
    demo = seed_demo_users(ws, db=db)
    create_user(db, "quantri", "Trần Minh Quang", PASSWORD, "province_admin", None)
    application = create_app(ws, AppSettings(watch=False, secret_key="t"), db=db)
    with TestClient(application) as keep:
        keep.get("/healthz")
        clients = {}
        for name in ("toanquoc", "quantri"):
            c = TestClient(application, follow_redirects=False)
            assert login(c, name).status_code == 303
            clients[name] = c
        yield {"demo": demo, "clients": clients}
        for c in clients.values():
            c.close()
    db.dispose()


def _hand_cross_pairs(ws: Any) -> None:
    """People across the hand-made provinces, counted by pair (the hand nation has no
    enrolments to find them in): 5 of Lai Châu's residents found in Hà Nội, 2 not; 3 of
    Hồ Chí Minh City's non-residents of unknown residence."""
    import ibis
    import pyarrow as pa

    from baophu.backends import Stamp
    from baophu.engine.nation import MART_PAIRS, MART_PROVINCES

    with ws.store() as store:
        entry = store.mart_entry(MART_PROVINCES)
        stamp = Stamp(entry.state_id, entry.reference_date, entry.rule_version)
        rows = pa.Table.from_pylist(
            [
                {
                    "home_province_code": "12",
                    "work_province_code": "01",
                    "found": 5,
                    "not_found": 2,
                    "registered_in_home": 0,
                    "residence_unknown": 0,
                },
                {
                    "home_province_code": None,
                    "work_province_code": "79",
                    "found": 0,
                    "not_found": 0,
                    "registered_in_home": 0,
                    "residence_unknown": 3,
                },
            ]
        )
        store.write_mart(MART_PAIRS, ibis.memtable(rows), stamp)


def _rows(html: str, table: str) -> list[str]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-province="(\w+)"', body)


def test_a_national_workspace_has_one_demo_account_the_national_analyst(
    nation_site: dict[str, Any],
) -> None:
    demo = nation_site["demo"]
    assert [(u["username"], u["role"], u["scope_code"]) for u in demo] == [
        ("toanquoc", "national_analyst", None)
    ]


def test_the_national_analyst_lands_on_the_ranking(nation_site: dict[str, Any]) -> None:
    c = nation_site["clients"]["toanquoc"]
    assert c.get("/").headers["location"] == "/nation"
    r = c.get("/nation")
    assert r.status_code == 200
    # BHYT: Hà Nội 96 %, Hồ Chí Minh 95 %, Lai Châu 90 %
    assert _rows(r.text, "nation-provinces") == ["01", "79", "12"]
    # the nation: 3,089 of 3,200 insured (the provinces' 3,040 and their 49 residents
    # insured only in another province, each once); BHXH 1,030 of 2,020; arrears 55,000 of
    # 4,100,000
    assert "96,5%" in r.text and "51,0%" in r.text and "1,3%" in r.text
    assert "3.089 / 3.200" in r.text
    # behind their targets: Lai Châu 7 people, then Hồ Chí Minh 3
    assert _rows(r.text, "nation-behind") == ["12", "79"]
    assert 'data-chart="bar"' in r.text
    # people across provinces, by pair: counts only, no one named
    cross = r.text.split('id="nation-cross"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'data-pair="([\w-]*)"', cross) == ["12-01", "-79"]
    assert "Lai Châu</td><td>Hà Nội</td>" in cross and "Không rõ</td><td>Hồ Chí Minh" in cross
    assert re.findall(r'<td class="num">(\d+)</td>', cross) == [
        *("5", "2", "0", "0"),
        *("0", "0", "0", "3"),
    ]


def test_the_ranking_sorts_on_the_arrears_ratio(nation_site: dict[str, Any]) -> None:
    c = nation_site["clients"]["toanquoc"]
    # arrears over due, lowest first: Hồ Chí Minh 1 %, Hà Nội 2 %, Lai Châu 5 %
    r = c.get("/nation?sort=arrears_ratio")
    assert _rows(r.text, "nation-provinces") == ["79", "01", "12"]
    # an unknown sort falls back to BHYT, never into the SQL
    r = c.get("/nation?sort=unit_code;DROP TABLE x")
    assert r.status_code == 200 and _rows(r.text, "nation-provinces") == ["01", "79", "12"]


def test_a_province_role_is_refused_the_nation(nation_site: dict[str, Any]) -> None:
    assert nation_site["clients"]["quantri"].get("/nation").status_code == 403


def test_the_national_analyst_sees_nothing_of_a_province(nation_site: dict[str, Any]) -> None:
    c = nation_site["clients"]["toanquoc"]
    for url in ("/units/01", "/units/01/potential", "/employers", "/claims", "/imports",
                "/admin/users", "/units/01/risk", "/targets?unit=01"):  # fmt: skip
        assert c.get(url).status_code in (403, 404), url


def test_users_need_no_scope_code_for_the_national_role(tmp_path: Path) -> None:
    from baophu.operational.db import OperationalDB
    from baophu.operational.users import create_user

    db = OperationalDB.connect(f"sqlite:///{tmp_path / 'op.sqlite'}")
    try:
        user = create_user(db, "trunguong", "Vũ Quốc Trung", PASSWORD, "national_analyst", None)
        assert user["role"] == "national_analyst"
    finally:
        db.dispose()


def _cells(html: str, table: str, key: str) -> dict[str, list[str]]:
    """The cells of each row of ``table``, by the row's ``data-<key>``."""
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(rf'<tr data-{key}="([\w-]*)">(.*?)</tr>', body, re.S)
    return {k: re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S) for k, cells in rows}


def test_the_ranking_drills_down_to_a_commune(nation_site: dict[str, Any]) -> None:
    c = nation_site["clients"]["toanquoc"]
    assert 'href="/nation/units/12"' in c.get("/nation").text
    province = c.get("/nation/units/12")
    assert province.status_code == 200
    # Lai Châu: 180 of 200 insured, its one office one level down, 7 people behind its
    # BHYT target, and the pair of its residents found in Hà Nội
    assert "180 / 200" in province.text and "90,0%" in province.text
    offices = _cells(province.text, "nation-children", "unit")
    assert list(offices) == ["12BH01"] and 'href="/nation/units/12BH01"' in offices["12BH01"][0]
    behind = _cells(province.text, "nation-unit-behind", "indicator")
    assert behind["bhyt_rate"][4] == "7"
    assert list(_cells(province.text, "nation-unit-cross", "pair")) == ["12-01"]
    office = c.get("/nation/units/12BH01").text
    # the office: the province's counts; its arrears 5,000 of 100,000 = 5 %
    communes = _cells(office, "nation-children", "unit")
    assert list(communes) == ["12001"]
    # the commune: 100 people, BHYT 90 %, BHXH 15 of 60 = 25 %, no arrears at this level
    assert communes["12001"][2:6] == ["100", "90,0%", "25,0%", "16,7%"]
    assert communes["12001"][7] == "—"
    assert "5,0%" in office.split('id="nation-unit"', 1)[1].split("</div>\n</div>", 1)[0]
    commune = c.get("/nation/units/12001").text
    trail = commune.split('class="crumbs"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'data-unit="(\w+)"', trail) == ["VN", "12", "12BH01"]
    assert "Không có đơn vị trực thuộc" in commune
    assert c.get("/nation/units/99").status_code == 404


def test_a_province_role_is_refused_the_drill_down(nation_site: dict[str, Any]) -> None:
    c = nation_site["clients"]["quantri"]
    for url in ("/nation/units/01", "/nation/units/12BH01", "/nation/units/VN"):
        assert c.get(url).status_code == 403, url
