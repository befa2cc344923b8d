"""Benchmark of issue 6: the web application under load.

``web_load`` starts ``baophu serve`` on a free loopback port (its own process) on the workspace
the earlier steps built, logs in 50 simulated users of every role (each their own scope:
province, offices, communes, collectors, case officers) and lets them browse dashboards and
lists for a bounded time: each user opens a page, reads it for 0.5–1.5 s, opens the next.
Figures: requests per second, and p50 / p95 / p99 latency per page kind (``dashboard``:
province, office, commune and hamlet pages; ``list``: potential lists, a collector's list,
employers; ``detail``: one employer).  Target (scale 1.0 Đồng Nai, 2 cores): p95 under 300 ms
for dashboards and lists.  A second, shorter phase without reading time measures the
saturation throughput (reported, not a target).  The server runs one worker process
(``BAOPHU_BENCH_WEB_WORKERS`` to change it): each worker keeps its own copy of the marts.

Loopback only, bounded in time (``BAOPHU_BENCH_WEB_SECONDS``, default 30 s per phase).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

USERS = 50
SECONDS = float(os.environ.get("BAOPHU_BENCH_WEB_SECONDS", "30"))
THINK = (0.5, 1.5)
PASSWORD = "bench-password-2026"
# how many simulated users of each role
MIX = {
    "province_admin": 2,
    "province_analyst": 4,
    "office_staff": 8,
    "commune_official": 14,
    "collector": 16,
    "case_officer": 6,
}

WORKERS = int(os.environ.get("BAOPHU_BENCH_WEB_WORKERS", "1"))


def peak_gib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024)


def _workspace(args: argparse.Namespace) -> Any:
    from baophu.workspace import Workspace

    return Workspace.open(Path(args.out) / "workspace")


def _prepare(ws: Any) -> dict[str, float]:
    """The marts the pages read, computed when an earlier step did not (not timed)."""
    from baophu.engine.targets.run import run_campaign, run_progress

    timings: dict[str, float] = {}
    with ws.store() as store:
        names = {m["mart"] for m in store.marts()}
        started = time.perf_counter()
        if "coverage_by_unit" not in names:
            from baophu.engine.coverage.run import run_coverage

            run_coverage(store)
        if "employer_balance" not in names:
            from baophu.engine.compliance.run import run_compliance

            run_compliance(store)
        if "achievement_by_unit" not in names:
            run_progress(store)
        if "campaign_progress" not in names:
            import datetime as dt

            ref = dt.date.fromisoformat(
                next(m for m in store.marts() if m["mart"] == "coverage_by_unit")["reference_date"][
                    :10
                ]
            )
            # no target for the campaign: the page shows none
            with contextlib.suppress(Exception):
                run_campaign(store, ref - dt.timedelta(days=19), 20, ["bhyt_rate"])
        if "potential_persons" not in names:
            try:
                from baophu.engine.potential.run import run_lists

                run_lists(store)
            except ImportError:
                pass
        timings["prepare_s"] = round(time.perf_counter() - started, 1)
    return timings


def _bench_users(ws: Any, db: Any) -> list[dict[str, Any]]:
    """``USERS`` users spread over the province: each office, commune, collector and case
    officer picked at random (seeded) among those that have data."""
    from baophu.operational.users import create_user

    rng = random.Random(6)
    with ws.store() as store:
        units = store.table("units").to_pyarrow().to_pylist()
        collectors = sorted(
            {
                r["collector_code"]
                for r in store.table("collectors").select("collector_code").to_pyarrow().to_pylist()
            }
        )
        officers = sorted(
            {
                r["officer_code"]
                for r in store.table("employers").select("officer_code").to_pyarrow().to_pylist()
                if r["officer_code"]
            }
        )
    by_level: dict[str, list[str]] = {}
    for u in units:
        by_level.setdefault(u["level"], []).append(u["unit_code"])
    pools = {
        "province_admin": [None],
        "province_analyst": [None],
        "office_staff": sorted(by_level["office"]),
        "commune_official": sorted(by_level["commune"]),
        "collector": collectors,
        "case_officer": officers,
    }
    out = []
    for role, n in MIX.items():
        for i in range(n):
            scope = rng.choice(pools[role])
            name = f"bench-{role}-{i}".replace("_", "")
            create_user(db, name, name, PASSWORD, role, scope, replace=True)
            out.append({"username": name, "role": role, "scope": scope})
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    """One simulated user: logs in, then picks pages of their role."""

    def __init__(self, user: dict[str, Any], base: str, ctx: dict[str, Any]) -> None:
        import httpx

        self.user = user
        self.ctx = ctx
        self.rng = random.Random(user["username"])
        self.client = httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False)
        self.samples: list[tuple[str, float, int, float]] = []

    async def login(self) -> None:
        page = await self.client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        r = await self.client.post(
            "/login",
            data={
                "username": self.user["username"],
                "password": PASSWORD,
                "csrf_token": token.group(1),
            },
        )
        assert r.status_code == 303, r.text[:300]

    def next_page(self) -> tuple[str, str]:
        rng, role, scope, ctx = self.rng, self.user["role"], self.user["scope"], self.ctx
        p = rng.randint(1, 5)
        if role in ("province_admin", "province_analyst"):
            commune = rng.choice(ctx["communes"])
            return rng.choice(
                [
                    ("dashboard", f"/units/{ctx['province']}"),
                    ("dashboard", f"/units/{commune}"),
                    ("list", f"/units/{commune}/potential?p={p}"),
                    ("list", f"/employers?p={p}"),
                ]
            )
        if role in ("office_staff", "commune_official"):
            child = rng.choice(ctx["children"].get(scope) or [scope])
            return rng.choice(
                [
                    ("dashboard", f"/units/{scope}"),
                    ("dashboard", f"/units/{child}"),
                    ("list", f"/units/{scope}/potential?p={p}"),
                    ("list", f"/employers?p={rng.randint(1, 2)}"),
                ]
            )
        if role == "collector":
            hamlet = rng.choice(ctx["hamlets_of"].get(scope) or [None])
            pages = [("list", f"/collectors/{scope}?p={rng.randint(1, 2)}")]
            if hamlet:
                pages.append(("dashboard", f"/units/{hamlet}"))
            return rng.choice(pages)
        employer = rng.choice(ctx["employers_of"].get(scope) or [None])
        pages = [("list", "/employers"), ("list", "/employers?status=late")]
        if employer:
            pages.append(("detail", f"/employers/{employer}"))
        return rng.choice(pages)

    async def run(self, until: float, think: tuple[float, float] | None) -> None:
        if think:  # people do not all click at the same instant
            await asyncio.sleep(self.rng.uniform(0, think[1]))
        while time.perf_counter() < until:
            kind, url = self.next_page()
            started = time.perf_counter()
            r = await self.client.get(url)
            took = time.perf_counter() - started
            timing = re.search(r"dur=([0-9.]+)", r.headers.get("server-timing", ""))
            app_ms = float(timing.group(1)) if timing else 0.0
            self.samples.append((kind, took, r.status_code, app_ms))
            if think:
                await asyncio.sleep(self.rng.uniform(*think))

    async def close(self) -> None:
        await self.client.aclose()


def _context(ws: Any) -> dict[str, Any]:
    with ws.store() as store:
        units = store.table("units").to_pyarrow().to_pylist()
        collectors = (
            store.table("collectors")
            .select("collector_code", "hamlet_code")
            .to_pyarrow()
            .to_pylist()
        )
        employers = (
            store.table("employers")
            .select("employer_code", "officer_code")
            .to_pyarrow()
            .to_pylist()
        )
    children: dict[str, list[str]] = {}
    for u in units:
        if u["parent_code"]:
            children.setdefault(u["parent_code"], []).append(u["unit_code"])
    hamlets_of: dict[str, list[str]] = {}
    for c in collectors:
        hamlets_of.setdefault(c["collector_code"], []).append(c["hamlet_code"])
    employers_of: dict[str, list[str]] = {}
    for e in employers:
        if e["officer_code"]:
            employers_of.setdefault(e["officer_code"], []).append(e["employer_code"])
    return {
        "province": next(u["unit_code"] for u in units if u["level"] == "province"),
        "communes": sorted(u["unit_code"] for u in units if u["level"] == "commune"),
        "children": children,
        "hamlets_of": hamlets_of,
        "employers_of": employers_of,
    }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


async def _phase(
    users: list[dict[str, Any]],
    base: str,
    ctx: dict[str, Any],
    seconds: float,
    think: tuple[float, float] | None,
) -> dict[str, Any]:
    browsers = [Browser(u, base, ctx) for u in users]
    for b in browsers:  # log in one after the other, as people arrive
        await b.login()
    started = time.perf_counter()
    await asyncio.gather(*(b.run(started + seconds, think) for b in browsers))
    elapsed = time.perf_counter() - started
    for b in browsers:
        await b.close()
    samples = [s for b in browsers for s in b.samples]
    out: dict[str, Any] = {
        "requests": len(samples),
        "rps": round(len(samples) / elapsed, 1),
        "errors": sum(1 for s in samples if s[2] >= 400),
    }
    for kind in ("dashboard", "list", "detail"):
        ms = [s[1] * 1000 for s in samples if s[0] == kind]
        app_ms = [s[3] for s in samples if s[0] == kind]
        if ms:
            out[kind] = {
                "n": len(ms),
                "p50_ms": round(_percentile(ms, 50), 1),
                "p95_ms": round(_percentile(ms, 95), 1),
                "p99_ms": round(_percentile(ms, 99), 1),
                "app_p50_ms": round(_percentile(app_ms, 50), 1),
                "app_p95_ms": round(_percentile(app_ms, 95), 1),
            }
    return out


def _server_memory_gib(pid: int) -> float:
    """Peak resident memory of the server and its worker processes, added up."""
    import psutil

    total = 0
    try:
        procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return 0.0
    for proc in procs:
        try:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / (1024 * 1024)


def step_web_load(args: argparse.Namespace) -> dict[str, Any]:
    from baophu.operational.db import OperationalDB

    ws = _workspace(args)
    prep = _prepare(ws)
    load_before = round(os.getloadavg()[0], 1)  # other work on the machine before we start
    bench_dir = Path(args.out) / "web-bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{bench_dir / 'operational.sqlite'}"
    db = OperationalDB.connect(url)
    users = _bench_users(ws, db)
    db.dispose()
    ctx = _context(ws)
    port = _free_port()
    env = {**os.environ, "BAOPHU_DATABASE_URL": url, "BAOPHU_SECRET_KEY": "bench"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "baophu.cli",
            "serve",
            "-w",
            str(ws.root),
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 600  # the first copy of the marts (scale 1.0: a minute)
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"server did not start: {server.stderr.read() if server.stderr else ''}"
                )
            time.sleep(0.2)
        started = time.perf_counter()
        browsing = asyncio.run(_phase(users, base, ctx, SECONDS, THINK))
        saturation = asyncio.run(_phase(users, base, ctx, min(SECONDS, 15.0), None))
        seconds = time.perf_counter() - started
        server_gib = _server_memory_gib(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    p95 = max(browsing.get(k, {}).get("p95_ms", 0.0) for k in ("dashboard", "list"))
    return {
        "seconds": seconds,
        "load_before": load_before,
        "load_after": round(os.getloadavg()[0], 1),
        "peak_gib": round(max(peak_gib(), server_gib), 2),
        "users": len(users),
        "p95_ms": p95,
        "rps": browsing["rps"],
        "errors": browsing["errors"] + saturation["errors"],
        "browsing": browsing,
        "saturation": saturation,
        "workers": WORKERS,
        **prep,
    }


STEPS = {"web_load": step_web_load}
TARGETS = {"web_load": {"p95_ms": 300.0, "errors": 0}}
