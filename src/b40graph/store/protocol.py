"""The SPARQL 1.1 Protocol, client side: one exchange with an endpoint under a deadline and a size limit,
its failures as `QueryError`s a client can act on (a store that is down: 502; too slow: 504; an answer too
large: 422), and its answer parsed into the typed results of `sparql.results`."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pyoxigraph as ox
import requests

from b40graph.sparql.results import QueryError, QueryResult, SolutionsResult, collect
from b40graph.store.backend import Term

JSON_RESULTS = "application/sparql-results+json"
NTRIPLES = "application/n-triples"


class Endpoint:
    """A SPARQL query URL; `timeout` (seconds) and `limit` (bytes) are the defaults of each exchange."""

    def __init__(self, url: str, timeout: float, limit: int) -> None:
        self.url, self.timeout, self.limit = url, timeout, limit
        self.http = requests.Session()

    def post(
        self,
        query: str,
        accept: str,
        dataset: Sequence[tuple[str, str]] = (),
        timeout: float | None = None,
        limit: int | None = None,
    ) -> tuple[str, bytes]:
        """One exchange: the answer's media type and body."""
        timeout = timeout or self.timeout
        try:
            response = self.http.post(
                self.url,
                data=[("query", query), *dataset],
                headers={"Accept": accept, "User-Agent": "b40graph"},
                timeout=(min(timeout, 3.0), timeout),
                stream=True,
            )
            with response:
                body = self._read(response, time.monotonic() + timeout, limit or self.limit)
        except requests.Timeout:
            raise QueryError(
                f"the triple store at {self.url} did not answer within the time limit of {timeout:g} s; "
                "narrow the query or add LIMIT",
                504,
                "timeout",
            ) from None
        except requests.ConnectionError as err:
            raise QueryError(
                f"the triple store at {self.url} cannot be reached ({type(err).__name__}); try again shortly",
                502,
                "bad-gateway",
            ) from None
        ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if response.status_code >= 400:
            message = body[:2000].decode("utf-8", "replace").strip() or response.reason
            if 400 <= response.status_code < 500:
                raise QueryError(f"the query was refused by the triple store: {message}", 400, "bad-query")
            raise QueryError(
                f"the triple store at {self.url} failed ({response.status_code}): {message}", 502, "bad-gateway"
            )
        return ctype, body

    @staticmethod
    def _read(response: requests.Response, deadline: float, limit: int) -> bytes:
        """The body, refused past `limit` bytes or the deadline (requests' timeout is per read only)."""
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise QueryError(
                    f"the answer is larger than {limit} bytes, the limit of this endpoint; add LIMIT", 422, "result-cap"
                )
            if time.monotonic() > deadline:
                raise requests.Timeout
        return b"".join(chunks)

    def results(self, query: str, dataset: Sequence[tuple[str, str]] = (), cap: int | None = None) -> QueryResult:
        """The answer to `query`, refused (not cut) past `cap` rows or triples."""
        ctype, body = self.post(query, f"{JSON_RESULTS}, {NTRIPLES};q=0.9", dataset)
        try:
            if ctype in (JSON_RESULTS, "application/json"):
                return collect(ox.parse_query_results(body, ox.QueryResultsFormat.JSON), cap)
            if ctype in (NTRIPLES, "text/plain"):
                return collect(ox.parse(body, ox.RdfFormat.N_TRIPLES), cap)
            if ctype == "text/turtle":
                return collect(ox.parse(body, ox.RdfFormat.TURTLE), cap)
        except SyntaxError as err:
            raise QueryError(
                f"the triple store sent an answer that does not parse: {err}", 502, "bad-gateway"
            ) from None
        raise QueryError(f"the triple store answered in an unexpected format '{ctype}'", 502, "bad-gateway")

    def rows(self, query: str, dataset: Sequence[tuple[str, str]] = ()) -> list[dict[str, Term]]:
        """The solutions of a SELECT `query`, each a dict of the variables it binds."""
        results = self.results(query, dataset)
        if not isinstance(results, SolutionsResult):
            raise QueryError(f"the triple store answered a SELECT with a {results.kind} result", 502, "bad-gateway")
        return [
            {name: term for name, term in zip(results.variables, row, strict=True) if term is not None}  # type: ignore[misc]
            for row in results.rows
        ]

    def close(self) -> None:
        self.http.close()
