"""Monthly notices in batch: every employer of a case officer, or of the whole province.

Owns the folder layout and the parallelism of a batch:

    OUT/<officer_code>/<employer_code>_<YYYY-MM>.pdf      one PDF per employer
    OUT/<officer_code>/C12-TS_<officer_code>_<YYYY-MM>.xlsx  one workbook per officer

(``_khong_can_bo`` holds employers without a case officer).  The data of every notice is read
from the marts in one query (``load_notices``); PDFs are drawn by ``workers`` processes
(spawned, so nothing of the parent's database connection is shared), in chunks, while the
parent writes the workbooks.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from itertools import groupby
from pathlib import Path
from typing import Any

from baophu.backends import Store
from baophu.contracts.progress import Progress
from baophu.reports.notice import NoticeData, load_notices
from baophu.reports.notice_xlsx import write_notices_workbook

NO_OFFICER = "_khong_can_bo"
CHUNK = 400


def notice_file_name(n: NoticeData) -> str:
    return f"{n.employer_code}_{n.month:%Y-%m}.pdf"


def _write_pdfs(chunk: list[tuple[NoticeData, str]]) -> int:
    from baophu.reports.notice_pdf import write_notice_pdf

    for notice, path in chunk:
        write_notice_pdf(notice, Path(path))
    return len(chunk)


def write_notice_batch(
    store: Store,
    month: dt.date,
    out_dir: Path,
    *,
    officer_code: str | None = None,
    pdf: bool = True,
    xlsx: bool = True,
    workers: int = 2,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the notices of ``month`` for one officer's employers (or all) under ``out_dir``."""
    started = time.perf_counter()
    notices = load_notices(store, month, officer_code=officer_code)
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[NoticeData, str]] = []
    workbooks = 0
    for code, group in groupby(notices, key=lambda n: n.officer_code or NO_OFFICER):
        folder = out_dir / code
        folder.mkdir(parents=True, exist_ok=True)
        mine = list(group)
        if xlsx:
            name = mine[0].officer_name or ""
            title = f"Cán bộ chuyên quản: {name} ({code}) · tháng {month:%m/%Y}"
            write_notices_workbook(mine, folder / f"C12-TS_{code}_{month:%Y-%m}.xlsx", title)
            workbooks += 1
        if pdf:
            jobs.extend((n, str(folder / notice_file_name(n))) for n in mine)
    done = 0
    total = len(jobs)
    if jobs:
        chunks = [jobs[i : i + CHUNK] for i in range(0, total, CHUNK)]
        if workers <= 1 or len(chunks) == 1:
            for chunk in chunks:
                done += _write_pdfs(chunk)
                if progress is not None:
                    progress("PDF", done, total)
        else:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                futures = [pool.submit(_write_pdfs, chunk) for chunk in chunks]
                for future in as_completed(futures):
                    done += future.result()
                    if progress is not None:
                        progress("PDF", done, total)
    return {
        "month": f"{month:%Y-%m}",
        "notices": len(notices),
        "pdf": done,
        "workbooks": workbooks,
        "officers": len({n.officer_code or NO_OFFICER for n in notices}),
        "out": str(out_dir),
        "seconds": round(time.perf_counter() - started, 2),
    }
