"""The synthetic nation's workers compute under the rules their caller has in force, however
they start: forked, or from a fork server when the caller runs threads of its own."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor

from baophu.rules.parameters import files_in_force, get_rules, use_files
from baophu.synth.nation import worker_context
from pinned_rules import RULE_VERSION


def _version() -> str:
    return get_rules().version


def test_use_files_puts_files_in_force_and_gives_back_the_ones_replaced() -> None:
    pinned = files_in_force()  # the tests' pinned files (conftest.pinned_rules)
    assert get_rules().version == RULE_VERSION
    default = use_files(*pinned)  # the same again: nothing changes
    assert default == pinned and get_rules().version == RULE_VERSION


def test_a_fork_server_worker_takes_the_callers_rules() -> None:
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        live = pool.submit(_version).result()
    assert live != RULE_VERSION  # started clean, a worker reads the live files
    with ProcessPoolExecutor(
        1, mp_context=context, initializer=use_files, initargs=files_in_force()
    ) as pool:
        assert pool.submit(_version).result() == RULE_VERSION


def test_workers_start_from_a_fork_server_while_the_caller_runs_threads() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        assert worker_context().get_start_method() == "forkserver"
    finally:
        stop.set()
        thread.join()
