"""Fair sharing of the public endpoint (issue 12, item 2): runaway queries from one client never hold every
query worker, never make pages wait, and what cannot be admitted is refused at once with Retry-After."""

from __future__ import annotations

import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
import requests

from b40graph.web.admission import Admission, Busy

from .conftest import running_server

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ONE_ROW = "SELECT ?s WHERE { ?s a <https://w3id.org/b40/ontology#Declaration> } LIMIT 1"


def test_a_client_past_its_share_is_refused_at_once() -> None:
    gate = Admission(active=3, waiting=2, per_client=2, wait_seconds=5)
    with gate.slot("a"), gate.slot("a"):
        started = time.monotonic()
        with pytest.raises(Busy) as err, gate.slot("a"):
            pass
        assert time.monotonic() - started < 1
        assert err.value.status == 503 and err.value.retry_after >= 1
        with gate.slot("b"):  # another client still waits its turn rather than being refused
            pass
    assert gate.load() == {"running": 0, "waiting": 0, "clients": 0}


def test_a_full_queue_is_refused_and_a_freed_slot_goes_to_the_waiting() -> None:
    gate = Admission(active=1, waiting=1, per_client=5, wait_seconds=5)
    entered = threading.Event()
    release = threading.Event()
    waited: list[str] = []

    def hold() -> None:
        with gate.slot("a"):
            entered.set()
            release.wait(5)

    def wait_turn() -> None:
        with gate.slot("b"):
            waited.append("b")

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(5)
    waiter = threading.Thread(target=wait_turn)
    waiter.start()
    for _ in range(100):
        if gate.load()["waiting"] == 1:
            break
        time.sleep(0.01)
    with pytest.raises(Busy), gate.slot("c"):  # one running, one waiting: full
        pass
    release.set()
    holder.join(5)
    waiter.join(5)
    assert waited == ["b"]
    assert gate.load() == {"running": 0, "waiting": 0, "clients": 0}


def test_waiting_past_the_limit_gives_busy_and_leaves_nothing_behind() -> None:
    gate = Admission(active=1, waiting=1, per_client=5, wait_seconds=0.2)
    with gate.slot("a"):
        with pytest.raises(Busy), gate.slot("b"):
            pass
        assert gate.load() == {"running": 1, "waiting": 0, "clients": 1}
    assert gate.load() == {"running": 0, "waiting": 0, "clients": 0}


def _query_from(url: str, source: str, query: str) -> tuple[int, bytes]:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
    try:
        conn.request("GET", "/sparql?" + urlencode({"query": query}), headers={"Accept": "text/csv"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.slow
def test_sixteen_runaway_clients_leave_pages_and_other_clients_served(built) -> None:
    settings, _ = built
    args = ["--root", str(settings.root), "--out", str(settings.out_dir), "--no-build", "--query-timeout", "3"]
    with running_server(*args, "--query-workers", "3") as url:
        stop = time.monotonic() + 8
        statuses: list[int] = []
        retry_after: list[str | None] = []

        def runaway() -> None:
            session = requests.Session()
            while time.monotonic() < stop:
                r = session.get(url + "/sparql", params={"query": RUNAWAY}, timeout=30)
                statuses.append(r.status_code)
                retry_after.append(r.headers.get("Retry-After"))
                if r.status_code == 503 and r.headers.get("X-B40-Error") == "busy":
                    time.sleep(0.05)

        with ThreadPoolExecutor(16) as pool:
            for _ in range(16):
                pool.submit(runaway)
            time.sleep(1)
            pages = [
                requests.get(url + "/doc/municipality/athens", headers={"Accept": "text/turtle"}, timeout=30)
                for _ in range(20)
            ]
            status, body = _query_from(url, "127.0.0.2", ONE_ROW)  # another client, while the runaways run
        assert [p.status_code for p in pages] == [200] * 20
        assert status == 200 and body.count(b"\n") == 2
        assert set(statuses) <= {503}, statuses  # time limit or refused: never a 200 for a runaway
        busy = [r for r in retry_after if r is not None]
        assert busy and all(int(r) >= 1 for r in busy)


def test_clients_that_ran_into_the_time_limit_leave_a_slot_for_the_others() -> None:
    from b40graph.sparql.results import QueryError

    gate = Admission(active=2, waiting=4, per_client=2, wait_seconds=0.3, penalty_seconds=60)
    for client in ("x", "y"):
        with pytest.raises(QueryError), gate.slot(client):
            raise QueryError("ran past the limit", 503, "timeout")
    assert gate.heavy() == 2
    with gate.slot("x"):
        with pytest.raises(Busy), gate.slot("y"):  # heavy clients may not take the last slot
            pass
        with gate.slot("light"):  # a client asking small questions gets it
            assert gate.load()["running"] == 2
    with gate.slot("x"), gate.slot("fresh"):  # and heavy ones keep all but one
        pass


def test_heavy_clients_leave_a_waiting_place_for_the_others() -> None:
    from b40graph.sparql.results import QueryError

    gate = Admission(active=1, waiting=2, per_client=1, wait_seconds=2, penalty_seconds=60)
    for client in ("x", "y"):
        with pytest.raises(QueryError), gate.slot(client):
            raise QueryError("ran past the limit", 503, "timeout")
    release, entered = threading.Event(), threading.Event()
    outcomes: list[str] = []

    def hold() -> None:
        with gate.slot("runner"):
            entered.set()
            release.wait(5)

    def wait_for_slot(client: str) -> None:
        try:
            with gate.slot(client):
                outcomes.append(client)
        except Busy:
            outcomes.append(f"{client} busy")

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(5)
    heavy = threading.Thread(target=wait_for_slot, args=("x",))
    heavy.start()
    for _ in range(200):
        if gate.load()["waiting"] == 1:
            break
        time.sleep(0.01)
    with pytest.raises(Busy) as err, gate.slot("y"):  # the last waiting place is not for a heavy client
        pass
    assert "as many queries" in str(err.value)
    light = threading.Thread(target=wait_for_slot, args=("z",))  # a light client still gets it
    light.start()
    for _ in range(200):
        if gate.load()["waiting"] == 2:
            break
        time.sleep(0.01)
    assert gate.load()["waiting"] == 2
    release.set()
    for t in (holder, heavy, light):
        t.join(5)
    assert sorted(outcomes) == ["x", "z"]
