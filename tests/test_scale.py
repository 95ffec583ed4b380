"""The fast build gives what the plain rdflib + owlrl + pyshacl path gives, on the project's data and on
generated networks; the compiled shapes report what pyshacl reports; the per-source cache never serves
stale results; the generator is deterministic."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from b40graph.author.synthetic import generate
from b40graph.core import ntriples as nt
from b40graph.core.errors import DataError
from b40graph.core.settings import Settings
from b40graph.core.vocab import SH
from b40graph.pipeline import build, compile_dataset
from b40graph.reason.ontology import parse_turtle as _parse_turtle
from b40graph.shacl import engine as shaclcore
from b40graph.shacl.validate import shacl, shacl_fast

from .conftest import ROOT, copy_project, replace_in

FILES = ("b40.trig", "b40.nq", "b40.ttl", "b40.nt", "b40.jsonld")
DUMPS = (*FILES, *(name + ".gz" for name in FILES), "shacl-report.ttl")
B40 = "https://w3id.org/b40/ontology#"


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(60, tmp_path_factory.mktemp("net") / "p", seed=11)


def _results(report: Graph) -> set[tuple]:
    out = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        value, path = report.value(r, SH.value), report.value(r, SH.resultPath)
        out.add(
            (
                nt.from_rdflib(report.value(r, SH.focusNode)),  # type: ignore[arg-type]
                nt.from_rdflib(path) if path is not None else None,
                str(report.value(r, SH.sourceConstraintComponent)),
                str(report.value(r, SH.resultSeverity)),
                nt.from_rdflib(value) if value is not None else None,
                frozenset(str(m) for m in report.objects(r, SH.resultMessage)),
            )
        )
    return out


def _data(root: Path) -> tuple[set[tuple[str, str, str]], Graph]:
    """The triples SHACL sees (asserted + inferred, no ontology) and the shapes, from the fast engine."""
    compiled = compile_dataset(Settings(root=root, out=root / "dist", engine="fast"))
    data = set()
    for name, lines in compiled.graphs.items():
        if not str(name).endswith("graph/ontology"):
            data.update(nt.split(line) for line in lines)  # type: ignore[arg-type]
    return data, _parse_turtle(root / "shapes" / "b40.ttl", "shapes")


def _same_as_pyshacl(data: set[tuple[str, str, str]], shapes: Graph) -> set[tuple]:
    graph = Graph()
    for s, p, o in data:
        graph.add((nt.to_rdflib(s), nt.to_rdflib(p), nt.to_rdflib(o)))  # type: ignore[arg-type]
    conforms, report = shacl(graph, shapes)
    fast_conforms, fast_report = shacl_fast(data, shapes)
    assert fast_conforms == conforms
    assert _results(fast_report) == _results(report)
    return _results(report)


@pytest.mark.parametrize("which", ["project", "generated"])
def test_fast_build_writes_the_same_bytes_as_the_plain_path(which, network, tmp_path):
    root = ROOT if which == "project" else network
    fast = build(Settings(root=root, out=tmp_path / "fast", engine="fast"))
    plain = build(Settings(root=root, out=tmp_path / "plain", engine="plain"))
    assert fast.version == plain.version
    assert fast.info["graphs"] == plain.info["graphs"]
    for name in DUMPS:
        assert filecmp.cmp(fast.path / name, plain.path / name, shallow=False), name


def test_compiled_shapes_agree_with_pyshacl_on_valid_data(network):
    for root in (ROOT, network):
        assert _same_as_pyshacl(*_data(root)) == set()


def _inject(data: set[tuple[str, str, str]]) -> None:
    """One violation of nearly every constraint component the shapes use, written as triples."""

    def first(cls: str) -> str:
        return sorted(s for s, p, o in data if p == f"<{RDF.type}>" and o == f"<{cls}>")[0]

    person, clause = first("http://xmlns.com/foaf/0.1/Person"), first(B40 + "OperativeClause")
    signature, event = first(B40 + "Signature"), first(B40 + "Event")
    checksum, country = first("http://spdx.org/rdf/terms#Checksum"), first("https://schema.org/Country")
    concept = first("http://www.w3.org/2004/02/skos/core#Concept")
    algorithm = "<http://spdx.org/rdf/terms#algorithm>"
    data.discard((checksum, algorithm, "<http://spdx.org/rdf/terms#checksumAlgorithm_sha256>"))
    data.update(
        {
            (person, "<http://xmlns.com/foaf/0.1/familyName>", '"KOVAČ"'),  # SPARQL + maxCount
            (clause, "<https://schema.org/position>", '"0"^^<http://www.w3.org/2001/XMLSchema#integer>'),
            (clause, f"<{RDF.type}>", f"<{B40}PreambleClause>"),  # qualified max count
            (signature, "<http://purl.org/dc/terms/date>", '"2021-13-45"^^<http://www.w3.org/2001/XMLSchema#date>'),
            (signature, f"<{B40}onBehalfOf>", '"Athens"'),  # class on a literal, node shape
            (event, "<https://schema.org/location>", country),  # sh:or
            (checksum, algorithm, "<http://spdx.org/rdf/terms#checksumAlgorithm_md5>"),  # hasValue
            (country, "<https://schema.org/identifier>", '"ABC"'),  # pattern
            (concept, "<http://www.w3.org/2004/02/skos/core#prefLabel>", '"Other"@en'),  # uniqueLang
            (concept, "<http://www.w3.org/2004/02/skos/core#exactMatch>", '"not an IRI"'),  # nodeKind
            (concept, "<http://www.w3.org/2000/01/rdf-schema#label>", '"untagged"'),  # datatype
        }
    )


def test_compiled_shapes_agree_with_pyshacl_on_injected_violations(network):
    for root in (ROOT, network):
        data, shapes = _data(root)
        _inject(data)
        results = _same_as_pyshacl(data, shapes)
        components = {r[2].rsplit("#", 1)[-1] for r in results}
        assert {
            "SPARQLConstraintComponent",
            "MaxCountConstraintComponent",
            "MinInclusiveConstraintComponent",
            "QualifiedMaxCountConstraintComponent",
            "DatatypeConstraintComponent",
            "ClassConstraintComponent",
            "NodeConstraintComponent",
            "OrConstraintComponent",
            "HasValueConstraintComponent",
            "PatternConstraintComponent",
            "UniqueLangConstraintComponent",
            "NodeKindConstraintComponent",
        } <= components


def test_unsupported_shapes_fall_back_to_pyshacl():
    data, shapes = _data(ROOT)
    inverse = BNode()
    shapes.add((URIRef("https://w3id.org/b40/shapes#X"), SH.targetSubjectsOf, URIRef(B40 + "party")))
    shapes.add((URIRef("https://w3id.org/b40/shapes#X"), SH.property, URIRef("https://w3id.org/b40/shapes#Y")))
    shapes.add((URIRef("https://w3id.org/b40/shapes#Y"), SH.path, inverse))  # ^b40:partyTo, i.e. b40:party
    shapes.add((inverse, SH.inversePath, URIRef(B40 + "partyTo")))
    with pytest.raises(shaclcore.Unsupported):  # a path that is not a single predicate
        shaclcore.Shapes(shapes)
    shapes.add((URIRef("https://w3id.org/b40/shapes#Y"), SH.maxCount, Literal(1)))
    shapes.add((URIRef("https://w3id.org/b40/shapes#Y"), SH.message, Literal("one party only")))
    conforms, report = shacl_fast(data, shapes)
    assert not conforms and {r[5] for r in _results(report)} == {frozenset({"one party only"})}


def test_violations_in_a_generated_network_name_file_and_line(network, tmp_path):
    root = tmp_path / "p"
    shutil.copytree(network, root)
    with (root / "data" / "countries.csv").open("a", encoding="utf-8") as fh:
        fh.write("zzz,Country ZZZ,,Land ZZZ,el,,\n")
    with pytest.raises(DataError) as err:
        build(Settings(root=root, out=tmp_path / "dist"))
    text = "\n".join(str(p) for p in err.value.problems)
    lines = (root / "data" / "countries.csv").read_text(encoding="utf-8").splitlines()
    assert f"data/countries.csv:{len(lines)}" in text and "ISO 3166" in text


def test_rebuild_after_one_change_equals_a_cold_build(tmp_path):
    root = copy_project(tmp_path / "p")
    build(Settings(root=root, out=root / "dist"))  # fills the cache
    decl = root / "data" / "declarations" / "2021-11-30-b40-founding-declaration.md"
    replace_in(decl, "Mayor of Split", "Deputy Mayor of Split")
    warm = build(Settings(root=root, out=root / "dist"))
    cold = build(Settings(root=root, out=tmp_path / "cold", cache=False))
    assert warm.version == cold.version
    for name in DUMPS:
        assert filecmp.cmp(warm.path / name, cold.path / name, shallow=False), name
    assert "Deputy Mayor of Split" in (warm.path / "b40.nt").read_text(encoding="utf-8")


def test_generator_is_deterministic(tmp_path):
    a, b = generate(60, tmp_path / "a", seed=3), generate(60, tmp_path / "b", seed=3)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert len(list((a / "data" / "declarations").glob("*.md"))) >= 3
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def _store_content(release_store: Path) -> tuple[list[str], list[str], dict[str, Graph]]:
    """Graph names, quads without blank nodes, and per graph the triples with (the store renames them)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(release_store))
    plain, blank = [], {}
    for q in store:
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
            g = blank.setdefault(str(q.graph_name), Graph())
            g.add(tuple(nt.to_rdflib(str(t)) for t in (q.subject, q.predicate, q.object)))
        else:
            plain.append(str(q))
    return sorted(str(g) for g in store.named_graphs()), sorted(plain), blank


@pytest.mark.parametrize(("diff_from", "run_mod"), [(1, 2), (20_000, 256)])
def test_incremental_store_equals_a_cold_store(tmp_path, monkeypatch, diff_from, run_mod):
    """A rebuild updates the previous release's store (a checkpoint, then only the changed graphs) and
    copies the dump pieces that did not change: after a changed declaration, a removed and a re-added one,
    a changed reference file and a changed ontology (blank nodes) the store holds what a bulk load holds
    and every dump is byte-identical to a cold build's."""
    from b40graph.publish import compress as gzchunks
    from b40graph.publish import dumps
    from b40graph.publish import pieces as splice
    from b40graph.publish.state import STATE_FILE

    monkeypatch.setattr(dumps, "DIFF_FROM", diff_from)  # 1: every graph updated by a line diff
    monkeypatch.setattr(splice, "RUN_MOD", run_mod)  # 2: many runs per graph, most of them copied
    copied: list[str] = []
    copy = gzchunks.PieceWriter.copy
    monkeypatch.setattr(
        gzchunks.PieceWriter, "copy", lambda self, *a: (copied.append(self.path.name), copy(self, *a))[1]
    )
    bulk_loads = []
    bulk = dumps._bulk_store
    monkeypatch.setattr(dumps, "_bulk_store", lambda *a: (bulk_loads.append(a), bulk(*a)))
    root = copy_project(tmp_path / "p")
    first = build(Settings(root=root, out=root / "dist"))
    assert (first.path / STATE_FILE).is_file() and len(bulk_loads) == 1
    decls = root / "data" / "declarations"
    founding, sofia = (
        decls / "2021-11-30-b40-founding-declaration.md",
        decls / "2025-02-24-b40-sofia-summit-declaration.md",
    )
    themes = root / "data" / "themes.ttl"

    def edit(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    steps = [
        lambda: edit(founding, "Mayor of Split", "Deputy Mayor of Split"),
        lambda: sofia.rename(tmp_path / sofia.name),
        lambda: edit(themes, "@en", "@en-GB"),
        lambda: edit(
            root / "ontology" / "b40.ttl", '"City network declarations ontology"@en', '"City network ontology"@en'
        ),
        lambda: (tmp_path / sofia.name).rename(sofia),
    ]
    for i, step in enumerate(steps):
        step()
        copied.clear()
        warm = build(Settings(root=root, out=root / "dist"))
        union_files = {"b40.nt", "b40.ttl"} if run_mod == 2 else set()  # at 256 the union is one or two runs
        assert {"b40.nq", "b40.trig", *union_files} <= set(copied)  # pieces were reused
        cold = build(Settings(root=root, out=tmp_path / f"cold{i}", cache=False))
        assert len(bulk_loads) == 2 + i  # the warm builds updated; only the cold ones loaded
        assert warm.version == cold.version
        (names, plain, blank), (cold_names, cold_plain, cold_blank) = map(_store_content, (warm.store, cold.store))
        assert names == cold_names and plain == cold_plain and blank.keys() == cold_blank.keys()
        assert blank and all(isomorphic(blank[g], cold_blank[g]) for g in blank)  # the ontology has blank nodes
        for name in DUMPS:
            assert filecmp.cmp(warm.path / name, cold.path / name, shallow=False), name
