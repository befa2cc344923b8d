"""Background jobs: the work that needs the workspace file read-write (an uploaded import,
recomputing the marts after it) runs one at a time in a worker thread, so a page never waits
on it; the page that started a job polls its status (HTMX) until it is done.

Jobs are kept in memory (the last 50); what they changed is in the workspace (snapshots,
marts) and their start and end are in the audit log.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from baophu.vn.masking import mask_text

KEEP = 50
LOG = logging.getLogger("baophu.jobs")
UNEXPECTED_VI = "Lỗi không mong muốn khi chạy tác vụ; chi tiết đã ghi vào nhật ký máy chủ."


class JobFailed(Exception):
    """A job that failed for a reason its page can say (a Vietnamese message)."""


@dataclass
class Job:
    id: str
    kind: str
    title: str
    username: str
    status: str = "queued"  # queued | running | done | failed
    created_at: dt.datetime = field(default_factory=dt.datetime.now)
    finished_at: dt.datetime | None = None
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    progress: str = ""

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


class Jobs:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="baophu-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def submit(
        self, kind: str, title: str, username: str, work: Callable[[Job], dict[str, Any]]
    ) -> Job:
        job = Job(id=uuid.uuid4().hex[:12], kind=kind, title=title, username=username)
        with self._lock:
            self._jobs[job.id] = job
            if len(self._jobs) > KEEP:
                for old in sorted(self._jobs.values(), key=lambda j: j.created_at)[:-KEEP]:
                    if old.finished:
                        self._jobs.pop(old.id, None)

        def run() -> None:
            job.status = "running"
            try:
                job.result = work(job) or {}
                job.status = "done"
            except JobFailed as exc:  # reported on the job's page, in Vietnamese, masked
                job.error = mask_text(str(exc))
                job.status = "failed"
            except Exception as exc:
                if type(exc).__module__.startswith("baophu."):
                    # baophu's own errors say what went wrong in Vietnamese and English
                    job.error = mask_text(str(exc).split(" / ")[0])
                else:  # the details go to the server's log, never to a page
                    LOG.error("job %s (%s) failed:\n%s", job.id, job.kind, traceback.format_exc())
                    job.error = UNEXPECTED_VI
                job.status = "failed"
            finally:
                job.finished_at = dt.datetime.now()

        self._pool.submit(run)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def recent(self, kind: str | None = None) -> list[Job]:
        with self._lock:
            jobs = list(self._jobs.values())
        if kind:
            jobs = [j for j in jobs if j.kind == kind]
        return sorted(jobs, key=lambda j: j.created_at, reverse=True)

    def running(self) -> bool:
        with self._lock:
            return any(not j.finished for j in self._jobs.values())

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
