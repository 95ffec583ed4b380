"""A bounded load test against a real server: a mix of pages, downloads and SPARQL with runaway queries mixed in.

Correctness only (no timing assertions): every normal request answered 2xx/3xx, every runaway 503, and the
server's memory (with its query workers) does not grow between two identical rounds.
"""

from __future__ import annotations

import pytest
from benchmarks.loadmix import rss_bytes, run_round, server, settle

from .conftest import ROOT

pytestmark = pytest.mark.slow
REQUESTS = 240  # per round; two rounds
CLIENTS = 8
HARD_STOP = 30.0
RUNAWAY_EVERY = 60
GROWTH_BOUND = 64 * 1024 * 1024


@pytest.fixture(scope="module")
def loaded(built):
    out = str(built[1].path.parent.parent)
    args = ("--root", str(ROOT), "--out", out, "--no-build", "--query-timeout", "2", "--query-workers", "2")
    with server(*args) as (url, pid):
        run_round(url, 30, CLIENTS, HARD_STOP, 0)  # warm up: caches, first worker start
        before = settle(url, pid)
        first = run_round(url, REQUESTS, CLIENTS, HARD_STOP, RUNAWAY_EVERY)
        middle = settle(url, pid)
        second = run_round(url, REQUESTS, CLIENTS, HARD_STOP, RUNAWAY_EVERY)
        after = settle(url, pid)
        alive = rss_bytes(pid) > 0
        yield {"rounds": (first, second), "rss": (before, middle, after), "alive": alive}


def test_no_errors_and_runaways_stopped(loaded):
    for round_ in loaded["rounds"]:
        assert round_.results, "nothing was sent"
        errors = round_.errors()
        assert not errors, [(e.kind, e.status, e.error) for e in errors[:10]]
        runaways = [r for r in round_.results if r.kind == "runaway"]
        assert runaways and all(r.status == 503 for r in runaways)


def test_normal_requests_kept_being_answered_while_runaways_ran(loaded):
    for round_ in loaded["rounds"]:
        normal = round_.normal()
        assert len(normal) >= len(round_.results) - 10
        assert all(200 <= r.status < 400 for r in normal)
        kinds = {r.kind for r in normal}
        assert {"page-html", "page-turtle", "download", "sparql", "redirect"} <= kinds


def test_memory_does_not_grow_between_identical_rounds(loaded):
    before, middle, after = loaded["rss"]
    assert loaded["alive"] and before > 0
    assert after - middle < GROWTH_BOUND, (before, middle, after)
