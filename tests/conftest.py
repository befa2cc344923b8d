"""Shared fixtures: a tiny hand-written province (every value chosen by hand, so tests can
state expected results without running the code under test) and workspaces on both backends."""

from __future__ import annotations

import inspect
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

UNITS_CSV = """Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Loại đơn vị,Mã tỉnh
75,Đồng Nai,province,,tỉnh,75
75BH01,BHXH cơ sở Biên Hòa,office,75,BHXH cơ sở,75
26734,Phường Biên Hòa,commune,75BH01,phường,75
26735,Xã Phú Lý,commune,75BH01,xã,75
26734001,Khu phố 1,hamlet,26734,khu phố,75
26735001,Ấp 1,hamlet,26735,ấp,75
"""

HOUSEHOLDS_CSV = """Mã hộ gia đình,Mã thôn/ấp,Địa chỉ,Số định danh chủ hộ
H1,26734001,12 Lê Lợi,075085000001
H2,26735001,Ấp 1 Phú Lý,075090000006
"""

# Row numbers as Excel/LibreOffice would show them: header is row 1, data from row 2.
# 075 = Đồng Nai; 4th digit 0 = male 19xx, 1 = female 19xx, 2 = male 20xx, 3 = female 20xx.
RESIDENTS_CSV = """Số định danh cá nhân,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Mã hộ gia đình,Quan hệ với chủ hộ,Mã thôn/ấp,Số điện thoại,Mã số BHXH,Ngày mất
075085000001,Nguyễn Văn An,Nam,12/03/1985,Kinh,H1,Chủ hộ,26734001,0901234567,7512345678,
075185000002,Trần Thị Bình,Nữ,1985-07-01,Kinh,H1,Vợ,26734001,,,
075215000003,Nguyễn Văn Cường,Nam,1/9/2015,Kinh,H1,Con,26734001,,,
075090000006,Lê Văn Đức,Nam,01/01/1990,Kinh,H2,Chủ hộ,26735001,,,
075192000007,Phạm Thị Hoa,Nữ,05/05/1992,Kinh,H2,Vợ,26735001,,,
"""


@pytest.fixture
def tiny_inputs(tmp_path: Path) -> Path:
    """units, households and 5 valid residents as CSV files with Vietnamese headers."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    (folder / "households.csv").write_text(HOUSEHOLDS_CSV, encoding="utf-8")
    (folder / "residents.csv").write_text(RESIDENTS_CSV, encoding="utf-8")
    return folder


@pytest.fixture(params=["duckdb", pytest.param("pyspark", marks=pytest.mark.spark)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def workspace(tmp_path: Path, backend: str):  # type: ignore[no-untyped-def]
    from baophu.workspace import Workspace, init_workspace

    root = tmp_path / f"ws-{backend}"
    init_workspace(root, backend=backend)  # type: ignore[arg-type]
    return Workspace.open(root)


@pytest.fixture
def duckdb_workspace(tmp_path: Path):  # type: ignore[no-untyped-def]
    from baophu.workspace import Workspace, init_workspace

    root = tmp_path / "ws"
    init_workspace(root)
    return Workspace.open(root)


SPARK_TEST_CONF = ";".join(
    (
        "spark.sql.shuffle.partitions=1",
        "spark.default.parallelism=1",
        "spark.sql.codegen.wholeStage=false",
        "spark.sql.codegen.factoryMode=NO_CODEGEN",
        "spark.sql.adaptive.enabled=false",
        "spark.driver.extraJavaOptions=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
        " -XX:ReservedCodeCacheSize=256m",
    )
)


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("BAOPHU_SPARK_DRIVER_MEMORY", "2g")
    # Spark tuned for the tests' tiny provinces (results unchanged): one shuffle partition,
    # no code generation, whole-stage or per expression (compiling costs more than it saves
    # on a few thousand rows: about 15 % of a Spark test once temporary tables became Parquet
    # files), no adaptive re-planning of each query after its shuffles (about 10 % of a
    # Spark test's time, for plans that one partition makes moot) and a driver JVM that
    # only JIT-compiles with C1 and collects garbage on one thread (a short-lived JVM
    # otherwise spends half its CPU compiling), with room for what it compiles (C1 alone
    # gets a 48 MB code cache, which a test worker's JVM filled within a minute, after
    # which the JVM stopped compiling and interpreted everything).  About 35 % less CPU and 30 % less time
    # per Spark test.
    os.environ.setdefault("BAOPHU_SPARK_CONF", SPARK_TEST_CONF)
    # One DuckDB thread per test process: the gate runs two processes (and a Spark JVM) on
    # two cores, and the tests' provinces are too small for a query to gain from a second
    # thread; each process then stops competing with the other for both cores (a tiny
    # province's pipeline: 11.9 s with DuckDB's default of one thread per core, 11.5 s with
    # one, beside another busy process; the whole gate and `make test-fast` differ by less
    # than their run-to-run noise, so it is a guard against oversubscription, not a speed-up).
    os.environ.setdefault("BAOPHU_DUCKDB_THREADS", "1")
    # pytest-xdist's workers inherit COLUMNS=80 / LINES=24, and Rich fixes a console's width
    # when COLUMNS is set as it is made: the CLI tests set their own width per command.
    if "PYTEST_XDIST_WORKER" in os.environ:
        os.environ.pop("COLUMNS", None)
        os.environ.pop("LINES", None)


@pytest.fixture(autouse=True)
def console_width_follows_columns() -> None:
    """Rich fixes a console's width when COLUMNS is set as the console is made (whichever
    test first imported the CLI); unfixed, each command's width follows the COLUMNS its
    test gives it (``CliRunner.invoke(env=...)``)."""
    common = sys.modules.get("baophu.commands.common")
    if common is not None:
        common.console._width = None  # Rich has no public way to unfix it


@pytest.fixture(scope="session", autouse=True)
def pinned_rules() -> Iterator[None]:
    """Every test reads the pinned parameter and policy files (``tests/fixtures``), whose
    values the expected figures are computed from, never the live ones: a new decree in
    ``src/baophu/rules`` changes no expectation.  The law's own tests (``tests/rules``) read
    the live files (``tests/rules/conftest.py``)."""
    from pinned_rules import pinned

    with pinned():
        yield


def _build_hand_commune(folder: Path) -> None:
    from baophu.workspace import Workspace, init_workspace
    from potential_hand import build

    init_workspace(folder / "ws")
    build(Workspace.open(folder / "ws"), folder / "inputs")


@pytest.fixture(scope="session")
def hand_commune() -> Path:
    """The hand-made commune of ``potential_hand`` imported into a DuckDB workspace and its
    lists computed, once for every worker (``shared_builds``: the files that read it run on
    either worker) and read only: opened with ``read_only=True``, or copied by
    ``hand_workspace`` for a test that writes."""
    from shared_builds import shared_build

    built = shared_build("hand-commune", "", _build_hand_commune, TESTS / "potential_hand.py")
    return built / "ws"


@pytest.fixture
def hand_workspace(hand_commune: Path, tmp_path: Path) -> Any:
    """A fresh copy of the hand-made commune (what one test writes stays there)."""
    from potential_hand import copy_workspace

    return copy_workspace(hand_commune, tmp_path / "hand_ws")


# The tiers (``make test-fast`` leaves out ``slow``, ``spark``, ``postgresql``, ``browser``
# and ``libreoffice``).  A test is ``slow`` when it builds a synthetic province (minutes): its module,
# or the module of a fixture it uses, imports the generator or a builder of one.
BUILDS_PROVINCE = re.compile(
    r"^\s*(?:from|import)\s+(?:baophu\.synth|province_build|corpus\.build|potential_expected|truth_province|nation_three|documents_fixtures|test_linkage_truth)\b",
    re.M,
)
TESTS = Path(__file__).resolve().parent
_BUILDS: dict[str, bool] = {}


def _builds_province(obj: Any) -> bool:
    try:
        path = inspect.getsourcefile(obj)
    except TypeError:
        return False
    if path is None:
        return False
    if path not in _BUILDS:
        source = Path(path).read_text(encoding="utf-8") if Path(path).exists() else ""
        _BUILDS[path] = bool(BUILDS_PROVINCE.search(source))
    return _BUILDS[path]


# The order test files are handed to the workers (``--dist loadfile``, each file to one
# worker, the next file to whichever worker runs out first): the longest first, so the run
# ends on short files and both workers finish together.  pytest-xdist's own order (most tests
# first, ``--no-loadscope-reorder`` turns it off) put a one-test file of 34 s last.  The
# seconds are each file's from a full run: this machine's last (``.pytest_cache``, written at
# the end of each full run) where there is one, else the committed ``file_seconds.json``; a new
# file counts as short.  Only the order depends on them, never a result.
FILE_SECONDS = TESTS / "file_seconds.json"
LAST_SECONDS = TESTS.parent / ".pytest_cache" / "baophu-file-seconds.json"


def _file_seconds() -> dict[str, float]:
    import contextlib
    import json

    seconds: dict[str, float] = {}
    for path in (FILE_SECONDS, LAST_SECONDS):
        # a file cut short counts as absent: the other one, or the collection's own order
        with contextlib.suppress(OSError, ValueError):
            seconds.update(json.loads(path.read_text(encoding="utf-8")))
    return seconds


def _relative_file(item: pytest.Item) -> str:
    path = Path(str(item.fspath)).resolve()
    return path.relative_to(TESTS).as_posix() if path.is_relative_to(TESTS) else str(path)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    seconds = _file_seconds()
    items.sort(
        key=lambda item: -seconds.get(_relative_file(item), 0.0)
    )  # stable: in-file order kept
    for item in items:
        fixtures = getattr(item, "_fixtureinfo", None)
        defs = fixtures.name2fixturedefs.values() if fixtures is not None else ()
        funcs = [d.func for group in defs for d in group]
        if any(_builds_province(f) for f in [getattr(item, "obj", None), *funcs] if f):
            item.add_marker(pytest.mark.slow)
        if Path(str(item.fspath)).resolve() == TESTS / "app" / "test_browser.py":
            item.add_marker(pytest.mark.browser)


# The operational database on both back ends: SQLite (a file) and PostgreSQL (the server
# on 127.0.0.1:5432, `make test` starts it when it is down).  Each PostgreSQL test gets a
# schema of its own, dropped afterwards.  PostgreSQL being unreachable is a failure, never a
# silent skip.
PG_URL = os.environ.get("BAOPHU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def operational_url(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A URL of an empty operational database on each back end."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'operational.sqlite'}"
        return
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# Each file's seconds in this run (setup, call and teardown of its tests, as the controller
# receives the reports), written at the end of a run of the whole suite for the next run's
# order (``pytest_collection_modifyitems``).
_SPENT: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::", 1)[0].removeprefix("tests/")
    _SPENT[path] = _SPENT.get(path, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import json

    if os.environ.get("PYTEST_XDIST_WORKER") or not _SPENT:
        return
    if session.testscollected < 500 or session.config.getoption("markexpr") != "not cluster":
        return  # a few files, or a tier: not the gate's weights
    LAST_SECONDS.parent.mkdir(exist_ok=True)
    spent = {k: round(v, 1) for k, v in sorted(_SPENT.items())}
    LAST_SECONDS.write_text(json.dumps(spent, indent=1), encoding="utf-8")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadfile`` with every file that has a Spark test in one unit, run by one
    worker: one Spark JVM warms up instead of one per worker (its JIT compiling Spark's code
    again costs about 25 s of CPU, measured on the Spark tests alone with one worker and two),
    and the other worker runs the DuckDB files meanwhile.  A file is a Spark file when a test
    id of it names Spark (``[pyspark]``, ``…_on_spark``, ``test_spark_…``)."""
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class OneSparkWorker(LoadFileScheduling):  # type: ignore[misc]
        spark_files: frozenset[str] = frozenset()

        def schedule(self) -> None:
            if self.collection is None and self.registered_collections:
                ids = next(iter(self.registered_collections.values()))
                self.spark_files = frozenset(
                    i.split("::", 1)[0] for i in ids if "spark" in i.lower()
                )
            super().schedule()

        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "spark" if path in self.spark_files else path

    return OneSparkWorker(config, log)
