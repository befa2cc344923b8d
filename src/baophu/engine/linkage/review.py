"""The review list: the pairs linkage would not decide alone, with both records side by side.

Owns the read of ``person_links`` rows with ``decision = 'review'``: each with the list row
(name, birth date, sex, commune, ID as typed) and its best candidate in the register (name,
birth date, sex, hamlet and commune, ID), the match weight and probability, and the
explanation.  Personal IDs come out whole; whoever prints them masks them
(``mask_person_id``).
"""

from __future__ import annotations

from typing import Any

from baophu.backends import Store
from baophu.engine.identity import person_key
from baophu.engine.linkage.model import SOURCES, record_id
from baophu.engine.linkage.run import MART_LINKS


def mask_person_id(value: str | None) -> str | None:
    """All but the last four characters hidden: ``075215000003`` → ``********0003``."""
    if value is None:
        return None
    text = str(value)
    return "*" * max(len(text) - 4, 0) + text[-4:]


def review_pairs(
    store: Store, limit: int | None = 50, source: str | None = None
) -> list[dict[str, Any]]:
    """The review rows of ``person_links`` (highest weight first), each with ``list`` and
    ``candidate`` records (dicts), ``match_weight``, ``match_probability``, ``explanation``.
    """
    links = store.read_mart(MART_LINKS)
    links = links.filter(links.decision == "review")
    if source is not None:
        links = links.filter(links.source == source)
    links = links.order_by([links.source, links.match_weight.desc(), links.record_id])
    if limit is not None:
        links = links.limit(limit)
    picked = links.to_pyarrow().to_pylist()
    if not picked:
        return []
    rows_by_source: dict[str, dict[str, dict[str, Any]]] = {}
    for name in {r["source"] for r in picked}:
        ids = [r["record_id"] for r in picked if r["source"] == name]
        t = store.table(SOURCES[name].table)
        t = t.mutate(_rid=record_id(t, SOURCES[name].key))
        t = t.filter(t._rid.isin(ids))
        cols = ["full_name", "birth_date", "sex", "commune_code", "person_id"]
        rows_by_source[name] = {
            r["_rid"]: {c: r[c] for c in cols} for r in t.to_pyarrow().to_pylist()
        }
    keys = sorted({int(r["candidate_key"]) for r in picked if r["candidate_key"] is not None})
    res = store.table("residents")
    res = res.mutate(_k=person_key(res.person_id))
    res = res.filter(res._k.isin(keys))
    units = store.table("units")
    hamlets = units.filter(units.level == "hamlet").select(
        _h=units.unit_code, commune_code=units.parent_code
    )
    res = res.left_join(hamlets, res.hamlet_code == hamlets._h)
    residents = {
        int(r["_k"]): {
            "full_name": r["full_name"],
            "birth_date": r["birth_date"],
            "sex": r["sex"],
            "hamlet_code": r["hamlet_code"],
            "commune_code": r["commune_code"],
            "person_id": r["person_id"],
        }
        for r in res.select(
            "_k", "full_name", "birth_date", "sex", "hamlet_code", "commune_code", "person_id"
        )
        .to_pyarrow()
        .to_pylist()
    }
    out = []
    for r in picked:
        key = r["candidate_key"]
        out.append(
            {
                "source": r["source"],
                "record_id": r["record_id"],
                "match_weight": r["match_weight"],
                "match_probability": r["match_probability"],
                "runner_up_weight": r["runner_up_weight"],
                "explanation": r["explanation"],
                "list": rows_by_source[r["source"]].get(r["record_id"]),
                "candidate": residents.get(int(key)) if key is not None else None,
            }
        )
    return out


def review_count(store: Store) -> int:
    links = store.read_mart(MART_LINKS)
    return int(links.filter(links.decision == "review").count().to_pyarrow().as_py())
