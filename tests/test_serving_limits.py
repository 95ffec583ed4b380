"""Serving under real conditions (issue 12): many slow or idle connections, oversized bodies refused before
they are read, a read-only output folder, release folders readable by another account, a sitemap that does
not reflect the Host header. Every test runs a real `b40graph serve` on 127.0.0.1 and is bounded in count
and time."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from .conftest import copy_project, replace_in, running_server

pytestmark = pytest.mark.slow
DECL = "data/declarations/2021-11-30-b40-founding-declaration.md"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("serving"))
    command = [sys.executable, "-m", "b40graph.cli", "build", "--root", str(root), "--no-progress"]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    return root


@pytest.fixture(scope="module")
def url(project: Path) -> Iterator[str]:
    with running_server("--root", str(project), "--no-build") as url:
        yield url


def _address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def test_a_normal_client_is_served_while_1000_slow_clients_hold_connections(url: str) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    slow: list[socket.socket] = []
    try:
        for i in range(1000):
            sock = socket.create_connection(_address(url), timeout=5)
            # half a request line: the server must keep the connection without giving it a thread
            sock.sendall(b"GET /doc/municipality/athens HTTP/1.1\r\nHost: x\r\n" if i % 2 else b"GET / HT")
            slow.append(sock)
        answered = []
        for _ in range(5):
            r = requests.get(url + "/doc/municipality/athens", headers={"Accept": "text/turtle"}, timeout=10)
            answered.append(r.status_code)
            assert b"municipality/athens" in r.content
        assert answered == [200] * 5
        # the slow clients are still connected: one of them completes its request and gets its answer
        last = slow[1]
        last.sendall(b"Accept: text/turtle\r\nConnection: close\r\n\r\n")
        assert last.recv(64).startswith(b"HTTP/1.1 200")
    finally:
        for sock in slow:
            sock.close()


def test_an_oversized_body_is_refused_by_its_length_before_it_is_sent(url: str) -> None:
    with socket.create_connection(_address(url), timeout=10) as sock:
        head = (
            "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            f"Content-Length: {200 * 1024 * 1024}\r\n\r\n"
        )
        sock.sendall(head.encode())  # and not one byte of the 200 MiB
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_release_folders_are_readable_by_other_accounts(project: Path) -> None:
    release = (project / "dist/current").resolve(strict=True)
    for path in (release, release / "store"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o005 == 0o005, f"{path} is {oct(mode)}"


def test_the_sitemap_names_the_public_base_not_the_host_header(url: str) -> None:
    r = requests.get(url + "/sitemap.xml", headers={"Host": "evil.example"}, timeout=10)
    assert r.status_code == 200
    assert b"evil.example" not in r.content
    assert b"<loc>https://w3id.org/b40/doc/municipality/athens</loc>" in r.content


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    """The folder made read-only for this process: a read-only bind mount as root (permission bits do not
    stop root), the permission bits otherwise."""
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
            yield
        finally:
            subprocess.run(["umount", str(folder)], check=True)
    else:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")] if p.is_dir()}
        for p in modes:
            p.chmod(0o555)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)


def test_serve_with_a_read_only_output_folder_serves_the_last_good_release(tmp_path: Path, project: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(project, root, symlinks=True)
    decl = root / DECL
    replace_in(decl, "fruitful cooperation", "fruitful joint cooperation")
    log = tmp_path / "serve.log"
    with _read_only(root / "dist"), log.open("wb") as err:
        port = _free_port()
        command = [sys.executable, "-m", "b40graph.cli", "serve", "--root", str(root), "--port", str(port)]
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        try:
            status = _wait(f"http://127.0.0.1:{port}/doc/municipality/athens", proc)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    assert status == 200
    text = log.read_text(encoding="utf-8")
    assert "could not rebuild" in text and "serving the last good release" in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(page: str, proc: subprocess.Popen) -> int:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return -proc.returncode
        with contextlib.suppress(requests.ConnectionError):
            return requests.get(page, timeout=5).status_code
        time.sleep(0.1)
    return 0
