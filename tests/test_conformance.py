"""The W3C SPARQL 1.1 Protocol (read-only) and Service Description tests, against a real running server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
import requests

from .conftest import ROOT

CONF = ROOT.parent / "shared" / "conformance"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CONF.is_dir(), reason="shared/conformance not present")]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "b40graph.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--dataset",
            str(CONF / "derived/protocol-fixture.trig"),
            "--out",
            str(tmp_path_factory.mktemp("out")),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    for _ in range(100):
        try:
            requests.get(url, timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def _run(*args: str) -> str:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=False, timeout=300, cwd=CONF)
    return done.stdout


def test_protocol_suite(server):
    out = _run("run_protocol.py", "sparql11/protocol/manifest.ttl", "--query-url", server, "--skip-update")
    assert "20 passed, 0 failed" in out, out


def test_service_description_suite(server):
    out = _run("check_sd.py", server)
    assert "3 passed, 0 failed" in out, out
