"""Identity: the personal ID normalised the way ingest does it, then the register, then the
legacy code; every unlinked row keeps a reason (both backends for the normalisation)."""

from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa

from baophu.engine.identity.links import normalise_person_id, well_formed_person_id
from baophu.ingest.validate import normalise_person_id as ingest_normalise

RAW = [
    "075085000001",  # clean
    "075 085.000-001",  # separators typed by hand
    "75085000001",  # a spreadsheet dropped the leading zero
    "75085000001.0",  # … and made it a float
    "'075085000001",  # a leading apostrophe
    "",  # empty
    "12345",  # too short
    "999085000001",  # unknown province of birth registration
]


def test_normalisation_matches_ingest_on_both_backends(workspace: Any) -> None:
    t = ibis.memtable(pa.table({"raw": RAW}))
    expr = t.select(norm=normalise_person_id(t.raw))
    expr = expr.mutate(ok=well_formed_person_id(expr.norm))
    with workspace.store() as store:
        got = store.ibis().to_pyarrow(expr).to_pylist()
    want = ingest_normalise(pa.array(RAW)).to_pylist()
    want = [None if w == "" else w for w in want]
    assert [g["norm"] for g in got] == want
    assert [g["norm"] for g in got][:5] == ["075085000001"] * 5
    assert [g["ok"] for g in got] == [True] * 5 + [False, False, False]
