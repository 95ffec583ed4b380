"""What a publication to a remote store sends and the one update that switches it (`remote_publish`).

A `Plan` is the staging graphs to upload and the statements of the switch. `every_graph` stages every graph of
the new release and the merge, and MOVEs them all: its cost follows the size of the release (Oxigraph
evaluates MOVE as a copy and two drops inside the update's transaction). `by_difference` is for a store
that holds an earlier release whole, whose graphs the publisher knows (read from its own release folder
of that version, or from the store): a graph that did not change is neither sent nor touched; a new one
is staged and MOVEd; one the new release lacks is dropped; a changed one has what it lost and what it
gained staged in two graphs, and the switch deletes the one and inserts the other (`DELETE … WHERE` and
`INSERT … WHERE` over the staging graphs: the bytes travel before, the update stays small). The default
graph, the merge, changes the same way, except that a triple leaves it only when no graph of the new
release holds it. Triples with blank nodes cannot be matched across documents (a label names one node only
within one document): a changed graph holding one is replaced whole, and the default graph's blank-node
triples are all replaced together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Graph
from rdflib.compare import isomorphic

from b40graph.store.remote import STAGING

Triples = list[ox.Triple]
ALL_BLANK = "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }"


@dataclass
class Plan:
    """Staging graph → its triples (in upload order), the switch's statements, and what it amounts to."""

    uploads: dict[str, Triples] = field(default_factory=dict)
    statements: list[str] = field(default_factory=list)
    summary: str = ""
    gone: list[str] = field(default_factory=list)  # the graphs the switch drops
    labels: dict[str, str] = field(default_factory=dict)  # staging graph -> what it holds, for progress lines


def blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def merge(graphs: Iterable[Triples]) -> Triples:
    """The default graph: every triple of the named graphs, each once, in a stable order."""
    return list({t: None for triples in graphs for t in triples})


def every_graph(version: str, graphs: dict[str, Triples], merged: Triples, order: list[str], stale: list[str]) -> Plan:
    """Every graph and the merge staged, then MOVEd onto their graphs; `stale` graphs dropped."""
    mine = f"{STAGING}{version}:"
    plan = Plan(gone=stale)
    plan.uploads = {mine + name: graphs[name] for name in order} | {mine + "default": merged}
    plan.labels = {mine + name: f"<{name}>" for name in order}
    plan.labels[mine + "default"] = "the default graph (the merge of the named graphs)"
    plan.statements = [f"MOVE {_iri(mine + name)} TO {_iri(name)}" for name in order]
    plan.statements.append(f"MOVE {_iri(mine + 'default')} TO DEFAULT")
    plan.statements += [f"DROP SILENT GRAPH {_iri(g)}" for g in stale]
    plan.summary = f"{len(order)} graphs and the default graph, {len(stale)} dropped"
    return plan


def by_difference(
    version: str, base: str, old: dict[str, Triples], graphs: dict[str, Triples], merged: Triples, order: list[str]
) -> Plan:
    """The switch from `old` (the store's graphs, release `base`) to `graphs` by their difference."""
    mine = f"{STAGING}{version}:"
    plan = Plan(gone=sorted(set(old) - set(graphs)))
    lost: set[ox.Triple] = set()  # leave the default graph unless a graph of the new release holds them
    gained: set[ox.Triple] = set()
    blanks = False  # some graph that holds blank nodes changed: the default graph's are all replaced
    unchanged = changed = 0
    for name in order + plan.gone:
        before, after = old.get(name, []), graphs.get(name, [])
        if name in old and name in graphs and _same(before, after):
            unchanged += 1
            continue
        was, now = set(before), set(after)
        lost |= {t for t in was - now if not blank(t)}
        gained |= {t for t in now - was if not blank(t)}
        with_blank = any(map(blank, before)) or any(map(blank, after))
        blanks |= with_blank
        if name not in graphs:
            plan.statements.append(f"DROP SILENT GRAPH {_iri(name)}")
        elif name not in old or with_blank:
            plan.uploads[mine + name] = after
            plan.labels[mine + name] = f"<{name}>" + (" (new)" if name not in old else " (whole: blank nodes)")
            plan.statements.append(f"MOVE {_iri(mine + name)} TO {_iri(name)}")
            changed += name in old
        else:
            changed += 1
            deleted, inserted = [t for t in before if t not in now], [t for t in after if t not in was]
            names = lambda sign, g=name: f"{mine}{sign}:{base}:{g}"  # noqa: E731
            _exchange(plan, f"GRAPH {_iri(name)}", f"<{name}>", names, deleted, inserted)
    keep = set(merged)
    old_default = {t for triples in old.values() for t in triples}
    deleted = [t for t in lost if t not in keep]
    inserted = [t for t in gained if t not in old_default]
    if blanks:
        plan.statements.append(ALL_BLANK)
    default: Callable[[str], str] = lambda sign: f"{mine}{sign}:{base}:default"  # noqa: E731
    _exchange(plan, "", "the default graph", default, deleted, inserted)
    if blanks:
        _exchange(plan, "", "the default graph", default, [], [t for t in merged if blank(t)], "blank")
    added = len(set(graphs) - set(old))
    plan.summary = (
        f"by difference from version {base}: {unchanged} graphs unchanged, {changed} changed, {added} added, "
        f"{len(plan.gone)} dropped; the default graph -{len(deleted)} +{len(inserted)} triples"
        + (", its blank-node triples replaced" if blanks else "")
    )
    return plan


def _exchange(
    plan: Plan,
    target: str,
    label: str,
    names: Callable[[str], str],
    deleted: Triples,
    inserted: Triples,
    add: str = "add",
) -> None:
    """Stage what `target` (a `GRAPH <g>`, or "" for the default graph) loses and gains, and the switch's
    DELETE/INSERT over those staging graphs (an empty side is neither staged nor run). `names("del")` and
    `names(add)` name the staging graphs: STAGING + version + ":del:" + base version + ":" + the graph."""
    for sign, operation, triples in (("del", "DELETE", deleted), (add, "INSERT", inserted)):
        if triples:
            staging = names(sign)
            plan.uploads[staging] = triples
            plan.labels[staging] = f"{label}: the {'blank-node ' if add == 'blank' else ''}triples it " + (
                "loses" if sign == "del" else "gains"
            )
            plan.statements.append(_copy(target, staging, operation))
            plan.statements.append(f"DROP SILENT GRAPH {_iri(staging)}")


def _copy(target: str, staging: str, operation: str) -> str:
    pattern = f"{target} {{ ?s ?p ?o }}" if target else "?s ?p ?o"
    return f"{operation} {{ {pattern} }} WHERE {{ GRAPH {_iri(staging)} {{ ?s ?p ?o }} }}"


def _same(before: Triples, after: Triples) -> bool:
    """The same triples; with blank nodes, the same graph up to their labels."""
    if len(before) != len(after):
        return False
    if set(before) == set(after):
        return True
    if not (any(map(blank, before)) or any(map(blank, after))):
        return False

    def rdflib(triples: Triples) -> Graph:
        return Graph().parse(data=(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode(), format="nt")

    return isomorphic(rdflib(before), rdflib(after))


def _iri(value: str) -> str:
    return str(ox.NamedNode(value))
