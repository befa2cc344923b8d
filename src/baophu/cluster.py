"""A Spark standalone cluster on this machine: one master and N workers started from the
installed pyspark (``spark-class org.apache.spark.deploy.master.Master`` and
``…deploy.worker.Worker``), for ``baophu cluster start|stop|status`` and ``make cluster``.

Everything the cluster leaves on disk is in its state folder (``BAOPHU_CLUSTER_DIR``, by
default ``~/.baophu/cluster``): ``cluster.json`` (the master URL, the processes started and
their ports), one log file per process under ``logs/``, each worker's work folder (executor
logs) under ``work/`` and Spark's scratch space under ``tmp/``.  A workspace uses the cluster
by naming its master URL (``baophu init DIR --backend pyspark --master spark://…``); the
warehouse stays a folder of the workspace on local disk, which every worker of this machine
reads and writes.

Only processes this module started are stopped, by the process-group ids it recorded.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATE_FILE = "cluster.json"
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"


class ClusterError(Exception):
    """The cluster cannot be started, reached or stopped (Vietnamese / English)."""


def default_state_dir() -> Path:
    return Path(os.environ.get("BAOPHU_CLUSTER_DIR", Path.home() / ".baophu" / "cluster"))


def spark_home() -> Path:
    """The Spark distribution inside the installed pyspark package (it has ``bin/spark-class``
    and the jars)."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


@dataclass
class Process:
    role: str  # master | worker-1 | worker-2 …
    pid: int
    log: str

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        # a zombie (exited, not yet reaped by its parent) counts as stopped
        stat = Path(f"/proc/{self.pid}/stat")
        if stat.exists():
            fields = stat.read_text(encoding="utf-8", errors="replace").rsplit(")", 1)[-1].split()
            return bool(fields) and fields[0] != "Z"
        return True


@dataclass
class ClusterState:
    """What ``cluster.json`` records of a started cluster."""

    host: str
    port: int
    webui_port: int
    workers: int
    worker_cores: int
    worker_memory: str
    started_at: str
    processes: list[Process] = field(default_factory=list)

    @property
    def master_url(self) -> str:
        return f"spark://{self.host}:{self.port}"

    @property
    def webui_url(self) -> str:
        return f"http://{self.host}:{self.webui_port}"

    def write(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        tmp = state_dir / f".{STATE_FILE}.tmp"
        tmp.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")
        os.replace(tmp, state_dir / STATE_FILE)

    @classmethod
    def read(cls, state_dir: Path) -> ClusterState | None:
        path = state_dir / STATE_FILE
        if not path.exists():
            return None
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw["processes"] = [Process(**p) for p in raw.get("processes", [])]
        return cls(**raw)


@dataclass
class ClusterStatus:
    """The cluster as its master reports it, and the processes as the system sees them."""

    running: bool
    state_dir: str
    master_url: str = ""
    webui_url: str = ""
    processes: list[dict[str, Any]] = field(default_factory=list)
    alive_workers: int = 0
    cores: int = 0
    memory_mb: int = 0
    running_applications: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on now (for tests and ``--port 0``)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _environment(state_dir: Path, daemon_memory: str) -> dict[str, str]:
    env = dict(os.environ)
    home = spark_home()
    env["SPARK_HOME"] = str(home)
    env["SPARK_LOG_DIR"] = str(state_dir / "logs")
    env["SPARK_PID_DIR"] = str(state_dir)
    env["SPARK_LOCAL_DIRS"] = str(state_dir / "tmp")
    env["SPARK_DAEMON_MEMORY"] = daemon_memory
    # executors start Python workers with this interpreter (the one that has baophu)
    env["PYSPARK_PYTHON"] = sys.executable
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    if "JAVA_HOME" not in env:
        java = shutil.which("java")
        if java:
            env["JAVA_HOME"] = str(Path(java).resolve().parent.parent)
    return env


def _spawn(role: str, args: list[str], state_dir: Path, env: dict[str, str]) -> Process:
    log = state_dir / "logs" / f"{role}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [str(spark_home() / "bin" / "spark-class"), *args]
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=state_dir,
            start_new_session=True,  # its own process group: stopped as one, by its id
        )
    return Process(role=role, pid=proc.pid, log=str(log))


def master_json(state: ClusterState, timeout: float = 2.0) -> dict[str, Any] | None:
    """The master's own report (its web UI's ``/json/``), or None when it does not answer."""
    try:
        with urllib.request.urlopen(f"{state.webui_url}/json/", timeout=timeout) as resp:
            return dict(json.loads(resp.read().decode("utf-8")))
    except (urllib.error.URLError, OSError, ValueError):
        return None


def start(
    state_dir: Path | None = None,
    workers: int = 2,
    worker_cores: int = 1,
    worker_memory: str = "1g",
    host: str = "127.0.0.1",
    port: int = 7077,
    webui_port: int = 8080,
    daemon_memory: str = "256m",
    wait_s: float = 90.0,
) -> ClusterStatus:
    """Start a master and ``workers`` workers and wait until every worker has registered.

    Refuses when this state folder's cluster is still running; a port of 0 picks a free one.
    """
    state_dir = (state_dir or default_state_dir()).resolve()
    if workers < 1:
        raise ClusterError("Cần ít nhất một worker / at least one worker is needed")
    existing = ClusterState.read(state_dir)
    if existing is not None and any(p.alive() for p in existing.processes):
        raise ClusterError(
            f"Cụm đã chạy tại {existing.master_url}; dừng bằng 'baophu cluster stop' / "
            f"a cluster is already running at {existing.master_url}; stop it first"
        )
    for sub in ("logs", "work", "tmp"):
        (state_dir / sub).mkdir(parents=True, exist_ok=True)
    port = port or free_port(host)
    webui_port = webui_port or free_port(host)
    state = ClusterState(
        host=host,
        port=port,
        webui_port=webui_port,
        workers=workers,
        worker_cores=worker_cores,
        worker_memory=worker_memory,
        started_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )
    env = _environment(state_dir, daemon_memory)
    master_args = [MASTER_CLASS, "--host", host, "--port", str(port)]
    state.processes.append(
        _spawn("master", [*master_args, "--webui-port", str(webui_port)], state_dir, env)
    )
    state.write(state_dir)
    try:
        _wait(state, lambda report: report is not None, wait_s, "master")
        for i in range(1, workers + 1):
            work = state_dir / "work" / f"worker-{i}"
            work.mkdir(parents=True, exist_ok=True)
            args = [WORKER_CLASS, state.master_url, "--host", host]
            args += ["--cores", str(worker_cores), "--memory", worker_memory]
            args += ["--work-dir", str(work), "--webui-port", str(free_port(host))]
            state.processes.append(_spawn(f"worker-{i}", args, state_dir, env))
            state.write(state_dir)
        _wait(
            state,
            lambda report: report is not None and _alive_workers(report) >= workers,
            wait_s,
            f"{workers} worker",
        )
    except ClusterError:
        stop(state_dir)
        raise
    return status(state_dir)


def _alive_workers(report: dict[str, Any]) -> int:
    return sum(1 for w in report.get("workers", []) if w.get("state") == "ALIVE")


def _wait(state: ClusterState, ready: Any, wait_s: float, what: str) -> None:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if ready(master_json(state)):
            return
        dead = [p for p in state.processes if not p.alive()]
        if dead:
            raise ClusterError(
                f"Tiến trình {dead[0].role} đã dừng; xem {dead[0].log} / "
                f"process {dead[0].role} exited; see {dead[0].log}"
            )
        time.sleep(0.5)
    raise ClusterError(
        f"Hết {wait_s:.0f} giây chờ {what} sẵn sàng / timed out waiting for {what} "
        f"({wait_s:.0f} s); logs in {Path(state.processes[0].log).parent}"
    )


def status(state_dir: Path | None = None) -> ClusterStatus:
    """Whether the cluster of ``state_dir`` runs, its workers, cores and memory."""
    state_dir = (state_dir or default_state_dir()).resolve()
    state = ClusterState.read(state_dir)
    if state is None:
        return ClusterStatus(running=False, state_dir=str(state_dir))
    processes = [{**asdict(p), "alive": p.alive()} for p in state.processes]
    report = master_json(state) if any(p["alive"] for p in processes) else None
    out = ClusterStatus(
        running=report is not None,
        state_dir=str(state_dir),
        master_url=state.master_url,
        webui_url=state.webui_url,
        processes=processes,
    )
    if report is not None:
        out.alive_workers = _alive_workers(report)
        out.cores = int(report.get("cores", 0))
        out.memory_mb = int(report.get("memory", 0))
        out.running_applications = len(report.get("activeapps", []))
    return out


def stop(state_dir: Path | None = None, wait_s: float = 20.0) -> ClusterStatus:
    """Stop the workers, then the master (SIGTERM to each recorded process group, SIGKILL to
    those still there after ``wait_s``)."""
    state_dir = (state_dir or default_state_dir()).resolve()
    state = ClusterState.read(state_dir)
    if state is None:
        return ClusterStatus(running=False, state_dir=str(state_dir))
    for proc in reversed(state.processes):  # workers first
        _signal_group(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and any(p.alive() for p in state.processes):
        time.sleep(0.2)
    for proc in state.processes:
        if proc.alive():
            _signal_group(proc.pid, signal.SIGKILL)
    (state_dir / STATE_FILE).unlink(missing_ok=True)
    return ClusterStatus(
        running=False,
        state_dir=str(state_dir),
        master_url=state.master_url,
        processes=[{**asdict(p), "alive": p.alive()} for p in state.processes],
    )


def _signal_group(pid: int, sig: signal.Signals) -> None:
    """Signal the process group this module created for ``pid`` (spark-class and the JVM it
    starts), never anything else."""
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
