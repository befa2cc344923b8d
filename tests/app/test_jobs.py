"""A failed background job says why in Vietnamese — never an exception's English text or a
personal ID (issue 11, items 4 and 24)."""

from __future__ import annotations

import time
from typing import Any

from baophu.app.jobs import UNEXPECTED_VI, Job, JobFailed, Jobs
from baophu.engine.targets import TargetsError


def _run(work: Any) -> Job:
    jobs = Jobs()
    try:
        job = jobs.submit("t", "thử", "an", work)
        deadline = time.monotonic() + 10
        while not job.finished and time.monotonic() < deadline:
            time.sleep(0.01)
        return job
    finally:
        jobs.shutdown()


def _raise(exc: Exception) -> Any:
    def work(job: Job) -> Any:
        raise exc

    return work


def test_failed_jobs_say_why_in_vietnamese() -> None:
    job = _run(_raise(JobFailed("Tệp thiếu cột; số định danh 075085000001")))
    assert job.status == "failed" and job.error == "Tệp thiếu cột; số định danh ********0001"
    job = _run(_raise(TargetsError("Chưa có chỉ tiêu năm 2026 / no target for 2026")))
    assert job.error == "Chưa có chỉ tiêu năm 2026"
    job = _run(_raise(KeyError("secret_column")))
    assert job.error == UNEXPECTED_VI and "secret_column" not in (job.error or "")
