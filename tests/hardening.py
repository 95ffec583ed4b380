"""Helpers shared by the hardening tests: a listener that counts connections, and app factories."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

from b40graph.core.settings import Settings
from b40graph.store.embedded import EmbeddedBackend
from b40graph.web.app import create_app


class Listener:
    """A TCP listener on 127.0.0.1 that counts every connection made to it (and answers nothing useful)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@contextlib.contextmanager
def app_with(settings: Settings, **changes: object) -> Iterator[object]:
    """A Flask test client over the same release with other limits (its own query workers)."""
    changed = settings.with_(**changes)
    backend = EmbeddedBackend(changed)
    app = create_app(changed, backend)
    app.config["TESTING"] = True
    try:
        yield app.test_client()
    finally:
        backend.close()
