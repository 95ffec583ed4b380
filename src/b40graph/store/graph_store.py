"""The Graph Store Protocol (SPARQL 1.1) as publishing uses it: a graph's URL, one request, a graph uploaded
in bounded requests, and the graphs an earlier publication listed."""

from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox
import requests

from b40graph.core.errors import UsageError
from b40graph.store.protocol import NTRIPLES


def upload(
    session: requests.Session, url: str, graph: str | None, triples: list[ox.Triple], chunk: int, first: str = "PUT"
) -> int:
    """A graph in requests of at most `chunk` triples (the first replaces, the next add), except that every
    triple with a blank node travels in one request: a blank node label means one node only within one
    document. Returns the bytes sent."""
    with_blank = [t for t in triples if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)]
    plain = [t for t in triples if not (isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode))]
    batches = [with_blank] if with_blank else []
    batches += [plain[i : i + chunk] for i in range(0, len(plain), chunk)]
    sent = 0
    for i, batch in enumerate(batches or [[]]):
        body = ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b""
        send(session, first if i == 0 else "POST", url, graph, body)
        sent += len(body)
    return sent


def target(url: str, graph: str | None) -> str:
    """The Graph Store Protocol URL of a named graph, or of the default graph (`graph` None)."""
    query = "default" if graph is None else f"graph={quote(graph, safe='')}"
    return f"{url}{'&' if '?' in url else '?'}{query}"


def send(session: requests.Session, method: str, url: str, graph: str | None, body: bytes | None) -> None:
    headers = {"Content-Type": NTRIPLES} if body is not None else {}
    try:
        response = session.request(method, target(url, graph), data=body, headers=headers, timeout=(5, 600))
    except requests.RequestException as err:
        raise UsageError(f"cannot reach the graph store at {url}: {err}") from None
    if response.status_code >= 400 and not (method == "DELETE" and response.status_code == 404):
        what = "the default graph" if graph is None else f"<{graph}>"
        raise UsageError(
            f"the graph store refused {method} of {what} ({response.status_code}): {response.text[:500].strip()}"
        )


def published_graphs(session: requests.Session, url: str, description: str) -> set[str]:
    """The graphs an earlier publication listed (void:subset of its description), if there was one."""
    try:
        response = session.get(target(url, description), headers={"Accept": NTRIPLES}, timeout=(5, 60))
    except requests.RequestException as err:
        raise UsageError(f"cannot reach the graph store at {url}: {err}") from None
    if response.status_code != 200:
        return set()
    subset = "http://rdfs.org/ns/void#subset"
    try:
        triples = ox.parse(response.content, ox.RdfFormat.N_TRIPLES)
        return {t.object.value for t in triples if t.predicate.value == subset and isinstance(t.object, ox.NamedNode)}
    except SyntaxError:
        return set()
