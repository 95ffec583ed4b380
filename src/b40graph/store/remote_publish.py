"""Publishing a release to a remote SPARQL 1.1 triple store: `b40graph publish --to GSP_URL`.

`publish_to` loads a release into a store atomically where the store allows it. Each graph of the new
release, and the merged default graph, is uploaded with the Graph Store Protocol into a staging graph
(`urn:b40graph:staging:VERSION:GRAPH`, or `…:default`), in requests of at most `chunk` triples (the
triples with blank nodes together: a label names one node only within one document); then ONE SPARQL 1.1
Update request MOVEs every staging graph onto its graph and onto the default graph and DROPs the graphs
the earlier release listed and this one lacks (or, by difference, changes only what changed: below).
Why this design: a SPARQL Update request is the only multi-graph write the protocols offer, and Oxigraph
runs one request as one transaction (repeatable-read isolation: readers see the store before or after it,
never between; oxigraph/oxigraph#19 and sparql/update.rs, where an update runs in one transaction
committed at its end); staging first keeps
that request's body small whatever the size of the release (Oxigraph caps an update body at 128 MB) and
makes an interrupted run resumable: a rerun skips the staging graphs whose size already matches, drops
staging graphs of other versions, and sends nothing when the store already holds this version whole.
Readers (RemoteBackend) never list or read staging graphs, and every page read carries the version of the
data in the same query, so that new data never goes out under the old version's ETag.

What is staged and switched (store/remote_diff.py): on a store that holds an earlier release whole, only
the difference. Oxigraph evaluates MOVE as a copy and two drops inside the transaction (about 4 minutes and
3 GB for 0.5 M quads, see benchmarks/README.md), so a switch that MOVEs every graph costs the size of the
release however little changed. The store's release is named by its version, and equal versions mean
equal quads (publish.dumps.version_of), so its graphs are read from the publisher's own folder of that
release when it is still there (no request), else with one GET per graph (a read outside any
transaction); they must have the sizes the store counts, and the default graph that of their merge, or
every graph is sent. Why not per-graph hashes kept in the store: they would be triples the release does not
have (a graph of bookkeeping that public queries over `GRAPH ?g` see and count, or checksums in the
description the build does not write); and a hash only says a graph changed, the difference still has to
be read. The first publication, a store that does not hold its version whole, or `--whole`: every graph,
MOVEd. After a switch by difference the store is checked (sizes, version); if it does not hold the release,
every graph is sent. A store without SPARQL Update (404/405/501 at the update or query URL) is published
graph by graph with a warning: not atomic.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
import requests

from b40graph.core.errors import UsageError
from b40graph.core.settings import Settings
from b40graph.store.backend import Term, values_block
from b40graph.store.graph_store import published_graphs, send, target, upload
from b40graph.store.protocol import JSON_RESULTS, NTRIPLES
from b40graph.store.remote import STAGING, VERSION_QUERY
from b40graph.store.remote_diff import Plan, by_difference, every_graph, merge

CHUNK = 50_000  # triples per upload request: each request is one bounded transaction of the store
SPARQL_UPDATE = "application/sparql-update"
COUNTS_QUERY = "SELECT ?g (COUNT(?s) AS ?n) WHERE { GRAPH ?g { OPTIONAL { ?s ?p ?o } } } GROUP BY ?g"
DEFAULT_COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
NO_UPDATE = (404, 405, 501)  # the update (or query) URL is not there: the store has no SPARQL Update


class _NoUpdate(Exception):
    """The store answers no SPARQL 1.1 Update (or query) at the URL given or derived."""


def _by_graph(quads: Iterable[ox.Quad]) -> dict[str, list[ox.Triple]]:
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode):
            graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    return graphs


def endpoints(gsp: str, update: str | None = None, query: str | None = None) -> tuple[str | None, str | None]:
    """The store's SPARQL Update and query URLs: as given, else derived from the Graph Store URL the way
    Oxigraph (`/store` → `/update`, `/query`) and Fuseki (`/ds/data` → `/ds/update`, `/ds/query`) name them."""
    parts = urlsplit(gsp)
    head, _, last = parts.path.rpartition("/")
    derivable = last in ("store", "data")

    def sibling(name: str) -> str | None:
        return urlunsplit((parts.scheme, parts.netloc, f"{head}/{name}", "", "")) if derivable else None

    return update or sibling("update"), query or sibling("query")


def publish_to(
    settings: Settings,
    url: str,
    replace: bool = True,
    progress: Callable[[str], None] = lambda _: None,
    update: str | None = None,
    query: str | None = None,
    chunk: int = CHUNK,
    warn: Callable[[str], None] = lambda _: None,
    whole: bool = False,
) -> int:
    """Load the current release into the store whose Graph Store Protocol URL is `url`; returns the count of
    the release's quads (named graphs, as release.json counts them). See the module docstring for how;
    `whole` sends every graph even when the store holds an earlier release (or this one)."""
    from b40graph.publish.release import current

    for name, value in (("--to", url), ("--update", update), ("--query", query)):
        if value is not None and not value.startswith(("http://", "https://")):
            raise UsageError(f"{name} {value!r}: give an http(s) URL, e.g. http://127.0.0.1:7878/store")
    if chunk < 1:
        raise UsageError(f"--chunk {chunk}: give a positive number of triples per request")
    release = current(settings.out_dir)
    if release is None:
        raise UsageError(f"no build in {settings.out_dir}: run `b40graph build` first")
    store = ox.Store.read_only(str(release.store))
    graphs = _by_graph(store.quads_for_pattern(None, None, None, None))
    del store
    merged = merge(graphs.values())  # the default graph, each triple once
    description = settings.base + "graph/description"
    order = sorted(g for g in graphs if g != description) + ([description] if description in graphs else [])
    total = sum(len(t) for t in graphs.values())
    with requests.Session() as session:
        if not replace:
            _publish_by_graph(session, url, graphs, merged, order, description, "POST", chunk, set(), progress)
            return total
        update_url, query_url = endpoints(url, update, query)
        try:
            if update_url is None or query_url is None:
                raise _NoUpdate(f"no SPARQL Update URL is known for {url}: give it with --update (and --query)")
            target = _Target(session, url, update_url, query_url)
            releases = settings.out_dir / "releases"  # the publisher's own releases: the store's may be there
            target.publish(release.version, graphs, merged, order, description, chunk, progress, releases, whole)
        except _NoUpdate as why:
            warn(
                f"{why}; publishing graph by graph instead: NOT atomic (readers may see some graphs new and "
                "the rest old until it ends, and an interrupted run leaves that mix until it is run again)"
            )
            previous = published_graphs(session, url, description)
            _publish_by_graph(session, url, graphs, merged, order, description, "PUT", chunk, previous, progress)
    return total


class _Target:
    """A store with the Graph Store Protocol, SPARQL 1.1 Update and Query: staged, switched in one update."""

    def __init__(self, session: requests.Session, gsp: str, update: str, query: str) -> None:
        self.session, self.gsp, self.update_url, self.query_url = session, gsp, update, query

    def publish(
        self,
        version: str,
        graphs: dict[str, list[ox.Triple]],
        merged: list[ox.Triple],
        order: list[str],
        description: str,
        chunk: int,
        progress: Callable[[str], None],
        releases: Path | None = None,
        whole: bool = False,
    ) -> None:
        """Stage and switch: by difference from the store's release when it holds one whole whose graphs are
        known (from `releases`, the publisher's folder of releases, else read from the store), else (or when
        `whole`) every graph."""
        counts = self.counts()  # every named graph of the store, with its size; the probe for a query URL
        live_version = self.live_version(description)
        previous = published_graphs(self.session, self.gsp, description)
        stale = sorted(previous - set(graphs))
        if (
            not whole
            and live_version == version
            and not any(g.startswith(STAGING) for g in counts)
            and self.holds(counts, graphs, merged, stale)
        ):
            progress(f"version {version} is already published: nothing to send")
            return
        old, why = None, "nothing is published there yet"
        if whole:
            why = "asked for (--whole)"
        elif live_version is not None and live_version != version:
            listed = previous | {description}  # the graphs of the store's release
            old, why = self.live_graphs(live_version, listed, counts, description, releases, progress)
        elif live_version == version:
            why = f"the store holds version {version}, but not whole"
        if old is None or live_version is None:
            progress(f"publishing every graph: {why}")
            self.switch(version, every_graph(version, graphs, merged, order, stale), counts, chunk, progress)
            return
        plan = by_difference(version, live_version, old, graphs, merged, order)
        del old
        self.switch(version, plan, counts, chunk, progress)
        gone = sorted(set(stale) | set(plan.gone))
        if not self.holds(self.counts(), graphs, merged, gone) or self.live_version(description) != version:
            progress(f"the store does not hold version {version} whole after the switch: publishing every graph")
            self.switch(version, every_graph(version, graphs, merged, order, stale), self.counts(), chunk, progress)

    def holds(self, counts: dict[str, int], graphs: dict[str, list[ox.Triple]], merged: list, gone: list[str]) -> bool:
        """The store's graphs have the sizes of `graphs`, those of `gone` are empty, and its default graph has
        the size of their merge."""
        return (
            all(counts.get(name) == len(triples) for name, triples in graphs.items())
            and not any(counts.get(g) for g in gone)
            and self.default_count() == len(merged)
        )

    def live_graphs(
        self,
        live: str,
        listed: set[str],
        counts: dict[str, int],
        description: str,
        releases: Path | None,
        progress: Callable[[str], None],
    ) -> tuple[dict[str, list[ox.Triple]] | None, str]:
        """The graphs of the store's release `live` (those its description lists: other graphs of the store
        are not the dataset's): from the publisher's own folder of that release when it has one (equal
        versions, equal quads), else one GET per graph; None (and why) when the store does not hold them
        whole (sizes of the graphs and of their merge, the default graph, checked)."""
        sizes = {g: counts.get(g, 0) for g in listed}
        folder = releases / live if releases is not None else None
        if not listed:
            return None, f"the store's description of version {live} lists no graphs"
        if not all(sizes.values()):
            return None, f"the store lacks graphs its description of version {live} lists"
        if folder is not None and (folder / "release.json").is_file() and (folder / "store").is_dir():
            store = ox.Store.read_only(str(folder / "store"))
            old = _by_graph(store.quads_for_pattern(None, None, None, None))
            del store
            source = f"the release folder {folder}"
        else:
            old = {g: self.graph(g) for g in sorted(listed)}
            source = f"the store ({len(listed)} graphs read)"
        progress(f"version {live} is published: its graphs read from {source}")
        if {g: len(t) for g, t in old.items()} != sizes:
            return None, f"the store's graphs do not have the sizes of version {live}'s"
        if self.default_count() != len(merge(old.values())):
            return None, "the store's default graph is not the merge of its graphs"
        if self.live_version(description) != live:
            return None, "the store switched to another version meanwhile"
        return old, ""

    def graph(self, name: str) -> list[ox.Triple]:
        """A named graph of the store, by the Graph Store Protocol."""
        try:
            response = self.session.get(target(self.gsp, name), headers={"Accept": NTRIPLES}, timeout=(5, 600))
        except requests.RequestException as err:
            raise UsageError(f"cannot reach the graph store at {self.gsp}: {err}") from None
        if response.status_code != 200:
            raise UsageError(f"the graph store answered {response.status_code} to GET <{name}>: {response.text[:500]}")
        try:
            return [quad.triple for quad in ox.parse(response.content, ox.RdfFormat.N_TRIPLES)]
        except SyntaxError as err:
            raise UsageError(f"the graph store sent <{name}> in N-Triples that do not parse: {err}") from None

    def switch(
        self, version: str, plan: Plan, counts: dict[str, int], chunk: int, progress: Callable[[str], None]
    ) -> None:
        """Upload the plan's staging graphs (those a run before completed kept), then run its switch."""
        expected = {name: len(triples) for name, triples in plan.uploads.items()}
        leftovers = sorted(g for g in counts if g.startswith(STAGING) and g not in expected)
        # the first update: also the probe for an update URL (nothing else has been written yet)
        self.run_update([f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in leftovers] or ["CLEAR SILENT GRAPH <urn:x>"])
        if leftovers:
            progress(f"dropped {len(leftovers)} staging graph(s) left by an interrupted publication")
        sent = 0
        for staging, triples in plan.uploads.items():
            what = plan.labels.get(staging, f"<{staging}>")
            if counts.get(staging) == len(triples):
                progress(f"{what}: already staged ({len(triples)} triples)")
                continue
            sent += upload(self.session, self.gsp, staging, triples, chunk)
            progress(f"staged {what}: {len(triples)} triples")
        counts = self.counts()
        wrong = sorted(g for g, n in expected.items() if counts.get(g) != n)
        if wrong:
            raise UsageError(
                f"the staging graph <{wrong[0]}> holds {counts.get(wrong[0], 0)} triples, not {expected[wrong[0]]}: "
                "is another publication running? Nothing was switched; run publish again"
            )
        started = time.monotonic()
        progress(f"switching to version {version} in one update ({sent} bytes staged)")
        self.run_update(plan.statements, timeout=3600)
        progress(f"switched to version {version} in one update ({plan.summary}) in {time.monotonic() - started:.1f} s")

    def run_update(self, statements: list[str], timeout: float = 600) -> None:
        text = " ;\n".join(statements)
        headers = {"Content-Type": SPARQL_UPDATE}
        self._post(self.update_url, "a SPARQL Update", timeout, data=text.encode(), headers=headers)

    def _post(self, url: str, what: str, timeout: float, **kwargs: Any) -> requests.Response:
        """One POST to the store; a store that does not take `what` there raises _NoUpdate (the caller falls
        back), any other refusal or an unreachable store a UsageError with the store's message."""
        kwargs["headers"] = {**kwargs.get("headers", {}), "User-Agent": "b40graph"}
        try:
            response = self.session.post(url, timeout=(5, timeout), **kwargs)
        except requests.RequestException as err:
            raise UsageError(f"cannot reach the graph store at {url}: {err}") from None
        if response.status_code in NO_UPDATE:
            raise _NoUpdate(f"{url} answers {response.status_code} to {what}")
        if response.status_code >= 400:
            raise UsageError(
                f"the store refused {what} at {url} ({response.status_code}): {response.text[:500].strip()}"
            )
        return response

    def select(self, text: str) -> list[dict[str, Term]]:
        response = self._post(
            self.query_url, "a SPARQL query", 600, data={"query": text}, headers={"Accept": JSON_RESULTS}
        )
        try:
            results = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
        except SyntaxError as err:
            raise UsageError(f"the store at {self.query_url} sent results that do not parse: {err}") from None
        names = [v.value for v in results.variables]  # type: ignore[union-attr]
        return [{n: row[n] for n in names if row[n] is not None} for row in results]  # type: ignore[union-attr]

    def counts(self) -> dict[str, int]:
        """Every named graph of the store (empty ones too) with its number of triples."""
        return {
            row["g"].value: int(row["n"].value)
            for row in self.select(COUNTS_QUERY)
            if isinstance(row.get("g"), ox.NamedNode) and "n" in row
        }

    def default_count(self) -> int:
        rows = self.select(DEFAULT_COUNT_QUERY)
        return int(rows[0]["n"].value) if rows else 0

    def live_version(self, description: str) -> str | None:
        rows = self.select(
            VERSION_QUERY.replace("{{values}}", values_block({"description": ox.NamedNode(description)}))
        )
        return rows[0]["version"].value if rows else None


def _publish_by_graph(
    session: requests.Session,
    url: str,
    graphs: dict[str, list[ox.Triple]],
    merged: list[ox.Triple],
    order: list[str],
    description: str,
    method: str,
    chunk: int,
    previous: set[str],
    progress: Callable[[str], None],
) -> None:
    """The Graph Store Protocol alone: each graph replaced (PUT) or merged (POST) in turn, the default graph
    and then the description last, then the graphs an earlier publication listed and this one lacks deleted."""
    steps: list[str | None] = [g for g in order if g != description]
    steps += [None] + ([description] if description in graphs else [])
    for name in steps:  # the description last: readers switch versions with it
        if name is None:
            triples, what = merged, "the default graph (the merge of the named graphs)"
        else:
            triples, what = graphs[name], f"<{name}>"
        upload(session, url, name, triples, chunk, first=method)
        progress(f"{method} {what}: {len(triples)} triples")
    for name in sorted(previous - set(graphs)):
        send(session, "DELETE", url, name, None)
        progress(f"DELETE <{name}> (no longer in the dataset)")
