"""An e-declaration dossier uploaded on the imports page: imported into ``agent_receipts``
when it adds up, refused whole — saying where, in Vietnamese — when its total does not."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from web_helpers import login, page_csrf


def _wait(app: Any, n: int) -> Any:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        jobs = app.state.ctx.jobs.recent()
        if len(jobs) >= n and all(j.finished for j in jobs):
            return jobs[0]
        time.sleep(0.2)
    raise AssertionError("the import did not finish")


def test_upload_a_dossier(province_dir: Path, tmp_path: Path) -> None:
    from baophu.app.main import AppSettings, create_app
    from baophu.operational.db import OperationalDB
    from baophu.operational.users import seed_demo_users
    from baophu.synth.forms import edeclaration_xml
    from baophu.workspace import Workspace

    root = tmp_path / "ws"
    shutil.copytree(province_dir, root)
    ws = Workspace.open(root)
    with ws.store() as store:
        agent = store.table("agents").to_pyarrow().to_pylist()[0]["agent_code"]
        before = store.row_count("agent_receipts")
    rows = [
        {
            "HoTen": "Nguyễn Văn An",
            "CCCD": "075090000001",
            "NgayBienLai": "28/10/2026",
            "SoBienLai": f"WEB{i}",
            "Tiendong": 1_263_600,
            "Sothang": 12,
            "TuNgay": "01/11/2026",
            "MaNhanVienThu": None,
        }
        for i in range(3)
    ]
    submitter = {"code": agent, "name": "Bưu điện", "office": ""}
    good = edeclaration_xml(
        submitter, "WEB1", dt.date(2026, 10, 31), [("D03-TS", rows, 3 * 1_263_600)]
    )
    bad = edeclaration_xml(submitter, "WEB2", dt.date(2026, 10, 31), [("D03-TS", rows, 1)])
    db = OperationalDB.connect(f"sqlite:///{tmp_path / 'op.sqlite'}")
    seed_demo_users(ws, db=db)
    app = create_app(ws, AppSettings(watch=False, secret_key="t"), db=db)
    with TestClient(app, follow_redirects=False) as client:
        assert login(client, "quantri").status_code == 303
        token = page_csrf(client, "/imports")
        r = client.post(
            "/imports",
            data={"csrf_token": token},
            files={"files": ("ho_so_D03-TS.xml", good.encode("utf-8"), "application/xml")},
        )
        assert r.status_code == 303
        job = _wait(app, 1)
        assert job.status == "done", job.error
        (result,) = job.result["files"]
        assert (result["table"], result["rows_imported"]) == ("agent_receipts", 3)
        r = client.post(
            "/imports",
            data={"csrf_token": token},
            files={"files": ("ho_so_sai.xml", bad.encode("utf-8"), "application/xml")},
        )
        job = _wait(app, 2)
        assert job.status == "failed"
        assert "TongTien" in (job.error or "") and "không khớp" in (job.error or "")
    with ws.store(read_only=True) as store:
        assert store.row_count("agent_receipts") == before + 3
    db.dispose()
