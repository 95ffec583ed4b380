"""The query workers: an unexpected error in a worker is logged in the server with its traceback and answered
with a short 500; a replacement worker is waited for until it is ready, and its start never counts against
a query's time limit."""

from __future__ import annotations

import json
import logging
import time

import pytest

from b40graph.sparql import workers as querypool
from b40graph.sparql.results import QueryError, SerializedResult
from b40graph.sparql.workers import Job, QueryPool

from .hardening import app_with

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _job(built, query: str, fmt: str = "json") -> Job:
    return Job(str(built[1].store), query, fmt, 1000, None, None)


def test_a_worker_error_is_logged_with_its_traceback_not_sent(built, caplog):
    pool = QueryPool(1, 10)
    try:
        with caplog.at_level(logging.ERROR, logger="b40graph.sparql.workers"), pytest.raises(QueryError) as raised:
            pool.run(_job(built, "ASK { ?s ?p ?o }", fmt="no-such-format"))  # the worker raises KeyError
        assert raised.value.status == 500 and raised.value.reason == "internal"
        assert "KeyError" not in str(raised.value) and "no-such-format" not in str(raised.value)
        logged = [r for r in caplog.records if r.name == "b40graph.sparql.workers" and r.levelno == logging.ERROR]
        assert len(logged) == 1
        text = logged[0].getMessage()
        assert "Traceback" in text and "KeyError" in text and "ASK { ?s ?p ?o }" in text
        answer = pool.run(_job(built, "ASK { ?s ?p ?o }"))  # the worker is still serving
        assert isinstance(answer, SerializedResult) and answer.kind == "ask"
        assert json.loads(answer.body)["boolean"] is True
    finally:
        pool.close()


def test_the_endpoint_answers_a_worker_error_with_a_short_500(built, caplog):
    with app_with(built[0], query_workers=1) as client:
        pool = client.application.config["B40_BACKEND"].pool
        run = pool.run
        pool.run = lambda job: run(Job(job.store, job.query, "no-such-format", job.cap, None, None))  # a fault
        with caplog.at_level(logging.ERROR, logger="b40graph.sparql.workers"):
            r = client.get(
                "/sparql",
                query_string={"query": "ASK { ?s ?p ?o }"},
                headers={"Accept": "application/sparql-results+json"},
            )
        assert r.status_code == 500 and r.headers["X-B40-Error"] == "internal"
        assert json.loads(r.data)["message"] == querypool.INTERNAL
        assert "KeyError" not in r.text and "Traceback" not in r.text
        assert any("KeyError" in rec.getMessage() for rec in caplog.records if rec.name == "b40graph.sparql.workers")


def test_a_new_worker_is_waited_for_and_its_start_is_not_query_time(built):
    """A limit shorter than a worker's start (a new Python process with its imports): the first query, and the
    query right after a runaway one had its worker killed, still get their whole time limit."""
    pool = QueryPool(1, 0.25)
    try:
        started = time.monotonic()
        answer = pool.run(_job(built, "ASK { ?s ?p ?o }"))
        assert isinstance(answer, SerializedResult) and json.loads(answer.body)["boolean"] is True
        for _ in range(3):
            with pytest.raises(QueryError) as raised:
                pool.run(_job(built, RUNAWAY))
            assert raised.value.reason == "timeout"
            answer = pool.run(_job(built, "ASK { ?s ?p ?o }"))  # its replacement is still starting
            assert isinstance(answer, SerializedResult) and json.loads(answer.body)["boolean"] is True
        assert pool.killed == 3 and time.monotonic() - started < 60
    finally:
        pool.close()


def test_busy_when_no_worker_is_free_and_none_is_starting(built):
    pool = QueryPool(1, 0.5)
    try:
        pool.run(_job(built, "ASK { ?s ?p ?o }"))  # the worker is ready
        worker = pool.idle.get()  # held, as by a long query elsewhere
        with pytest.raises(QueryError) as raised:
            pool.run(_job(built, "ASK { ?s ?p ?o }"))
        assert raised.value.status == 503 and raised.value.reason == "busy"
        pool.idle.put(worker)
    finally:
        pool.close()
