"""Fair sharing of the public SPARQL endpoint.

Public queries run in a few worker processes; a request thread waiting for one is a thread that pages,
downloads and the home page cannot use. So the endpoint admits at most `active` queries at a time, lets at
most `waiting` more wait for a slot, and at most `per_client` of either from one client address. Anything
past that is refused at once with 503 and `Retry-After`, never queued behind runaways: one client sending
runaway queries holds at most `per_client` slots, and pages never wait for SPARQL at all.

A client whose query ran into the time limit (or its memory allowance) is "heavy" for `penalty_seconds`:
heavy clients together may hold all slots but one and all waiting places but one, so that however many
addresses send runaways, a client asking small questions still finds a worker once the runaways have shown
themselves.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator

from b40graph.sparql.results import QueryError


class Busy(QueryError):
    """The endpoint or this client has as many queries in flight as it may; `retry_after` in seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, 503, "busy")
        self.retry_after = retry_after


class Admission:
    def __init__(
        self, active: int, waiting: int, per_client: int, wait_seconds: float, penalty_seconds: float = 60.0
    ) -> None:
        self.active = max(1, active)
        self.waiting = max(0, waiting)
        self.per_client = max(1, per_client)
        self.wait_seconds = wait_seconds
        self.penalty_seconds = penalty_seconds
        self._cond = threading.Condition()
        self._running = 0
        self._running_heavy = 0
        self._queued = 0
        self._clients: Counter[str] = Counter()
        self._heavy: dict[str, float] = {}  # client -> when its last query ran into the time limit

    @property
    def retry_after(self) -> int:
        return max(1, round(self.wait_seconds))

    @contextlib.contextmanager
    def slot(self, client: str) -> Iterator[None]:
        """Hold one of the `active` slots for the duration of a query, or raise `Busy`."""
        with self._cond:
            if self._clients[client] >= self.per_client:
                raise Busy(
                    f"this client already has {self.per_client} queries running or waiting; wait for an answer "
                    "before sending more",
                    self.retry_after,
                )
            heavy = self._is_heavy(client)
            places = self.waiting - 1 if heavy and self.waiting > 1 else self.waiting  # one kept for the light
            if self._running >= self.active and self._queued >= places:
                raise Busy("the endpoint is answering as many queries as it can; try again shortly", self.retry_after)
            self._clients[client] += 1
            self._queued += 1
            deadline = time.monotonic() + self.wait_seconds
            try:
                while not self._may_run(heavy):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise Busy(
                            f"no query slot became free within {self.wait_seconds:g} s; try again shortly",
                            self.retry_after,
                        )
                    self._cond.wait(left)
            except BaseException:
                self._release_client(client)
                self._queued -= 1
                self._cond.notify_all()
                raise
            self._queued -= 1
            self._running += 1
            self._running_heavy += heavy
        try:
            yield
        except QueryError as err:
            if err.reason in ("timeout", "memory-limit"):
                with self._cond:
                    self._heavy[client] = time.monotonic()
            raise
        finally:
            with self._cond:
                self._running -= 1
                self._running_heavy -= heavy
                self._release_client(client)
                self._cond.notify_all()

    def _may_run(self, heavy: bool) -> bool:
        if self._running >= self.active:
            return False
        return not heavy or self.active == 1 or self._running_heavy < self.active - 1

    def _is_heavy(self, client: str) -> bool:
        since = self._heavy.get(client)
        if since is None:
            return False
        if time.monotonic() - since < self.penalty_seconds:
            return True
        del self._heavy[client]
        return False

    def _release_client(self, client: str) -> None:
        self._clients[client] -= 1
        if self._clients[client] <= 0:
            del self._clients[client]

    def load(self) -> dict[str, int]:
        with self._cond:
            return {"running": self._running, "waiting": self._queued, "clients": len(self._clients)}

    def heavy(self) -> int:
        with self._cond:
            return sum(self._is_heavy(c) for c in list(self._heavy))
