"""Dumps made of pieces (splice.py, gzchunks.py) are the whole-dataset serialisations: pyoxigraph's TriG,
Turtle, N-Quads and N-Triples of the whole dataset and `jsonld.write` of the sorted union; each .gz is one
ordinary gzip member of its file; runs hold whole subjects and an edit moves no other run; statistics
summed over runs are those counted over the union."""

from __future__ import annotations

import gzip
import itertools
import random
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from b40graph.author.synthetic import generate
from b40graph.core import jsonld
from b40graph.core import ntriples as nt
from b40graph.core.settings import Settings
from b40graph.core.vocab import PREFIXES
from b40graph.pipeline import build, compile_dataset
from b40graph.publish import pieces as splice
from b40graph.publish.compress import PieceWriter, Source
from b40graph.publish.description import stats_of_lines

from .conftest import ROOT

NAMES = ("b40.nq", "b40.nt", "b40.ttl", "b40.trig", "b40.jsonld")


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(40, tmp_path_factory.mktemp("net") / "p", seed=5)


def test_pieces_make_one_ordinary_gzip_member_and_copies_change_no_byte(tmp_path):
    rng = random.Random(1)
    pieces = [b"", b"a\n", *(bytes(rng.choices(b"abc <>\n", k=rng.randrange(1, 90_000))) for _ in range(6)), b""]
    first = PieceWriter(tmp_path / "f.txt")
    for i, data in enumerate(pieces):
        first.add(str(i), data)
    sizes = first.close()
    whole = b"".join(pieces)
    packed = (tmp_path / "f.txt.gz").read_bytes()
    assert (tmp_path / "f.txt").read_bytes() == whole and gzip.decompress(packed) == whole
    assert len(packed) == sizes[1] and len(whole) == sizes[0]
    if shutil.which("gzip"):
        out = subprocess.run(["gzip", "-d", "-c", str(tmp_path / "f.txt.gz")], capture_output=True, check=True)
        assert out.stdout == whole
    with gzip.open(tmp_path / "f.txt.gz") as fh:  # one member: its trailer checks CRC32 and length
        assert fh.read() == whole
    (tmp_path / "again").mkdir()
    source = Source(tmp_path / "f.txt", sizes)
    second = PieceWriter(tmp_path / "again" / "f.txt")
    for i, data in enumerate(pieces):
        if i % 2:
            second.copy(str(i), source, first.places[str(i)])
        else:
            second.add(str(i), data)
    assert second.close() == sizes
    source.close()
    assert (tmp_path / "again" / "f.txt.gz").read_bytes() == packed
    assert Source(tmp_path / "f.txt", (sizes[0] + 1, sizes[1])).maps is None  # altered files are not read


def _lines(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    subjects = [f"<http://e/{rng.randrange(10**6)}>" for _ in range(n)] + [f"_:b{i}" for i in range(12)]
    return sorted({f'{s} <http://e/p{rng.randrange(4)}> "{rng.randrange(9)}" .' for s in subjects for _ in range(3)})


def test_runs_hold_whole_subjects_and_an_edit_moves_no_other_run(monkeypatch):
    monkeypatch.setattr(splice, "RUN_MOD", 8)
    lines = _lines(2000, 1)
    bounds = splice.subject_runs(lines)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(lines) and len(bounds) > 50
    assert all(a < b and b == c for (a, b), (c, _) in itertools.pairwise(bounds))
    subject = lambda line: line.split(" ", 1)[0]  # noqa: E731
    assert all(subject(lines[a - 1]) != subject(lines[a]) for a, _ in bounds[1:])
    runs = {tuple(lines[a:b]) for a, b in bounds}
    for at in (0, 510, len(lines) - 1):  # one subject gets a triple more: one run changes
        edited = sorted({*lines, f"{subject(lines[at])} <http://e/new> <http://e/x> ."})
        new = splice.subject_runs(edited)
        assert len(new) == len(bounds)
        assert sum(tuple(edited[a:b]) not in runs for a, b in new) == 1


def test_union_with_added_lines_equals_the_union_of_all(monkeypatch):
    monkeypatch.setattr(splice, "RUN_MOD", 8)
    graphs = {"a": _lines(800, 2), "b": _lines(800, 3)}
    before = splice.union_of(graphs)
    firsts = [before.lines[a].split(" ", 1)[0] for a, _ in before.bounds]
    extra = sorted(
        {
            *_lines(30, 4),  # new subjects, some of them starting runs
            *graphs["a"][::97],  # lines already there
            *(f"{s} <http://a/> <http://e/x> ." for s in firsts[::5]),  # before the first line of a run
            "<http://0/> <http://e/p> <http://e/x> .",  # a new first subject
            "_:b0 <http://a/> <http://e/x> .",  # before the first line of all
            "_:zz <http://e/p> <http://e/x> .",  # a new last subject
        }
    )
    for added in (extra, extra[:1], []):
        union = splice.with_lines(before, added)
        whole = splice.union_of({**graphs, "c": added})
        assert union.lines == whole.lines and union.bounds == whole.bounds
        assert union.texts == whole.texts and union.keys == whole.keys
    assert splice.with_lines(splice.union_of({}), extra).lines == extra


@pytest.mark.parametrize("run_mod", [2, splice.RUN_MOD])
def test_stats_summed_over_runs_equal_the_stats_of_the_union(monkeypatch, network, run_mod):
    monkeypatch.setattr(splice, "RUN_MOD", run_mod)
    graphs = compile_dataset(Settings(root=network, out=network / "dist")).graphs
    union = splice.union_of(graphs)  # type: ignore[arg-type]
    sizes = {n: len(v) for n, v in graphs.items()}
    stats, per_run = splice.union_stats(union, sizes, {})
    assert stats == stats_of_lines(graphs)  # type: ignore[arg-type]
    again, _ = splice.union_stats(union, sizes, dict(list(per_run.items())[::2]))
    assert again == stats


def _reference(release: Path) -> dict[str, bytes]:
    """The files as whole-dataset serialisations of the release's N-Quads."""
    quads = list(ox.parse(path=str(release / "b40.nq"), format=ox.RdfFormat.N_QUADS))
    triples = sorted({q.triple for q in quads}, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    lines = sorted({f"{t.subject} {t.predicate} {t.object} ." for t in triples})
    assert [f"{t.subject} {t.predicate} {t.object} ." for t in triples] == lines
    ref = {
        "b40.trig": ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES),
        "b40.ttl": ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES),
        "b40.nt": ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
        "b40.jsonld": jsonld.dumps(triples, PREFIXES),
    }
    graphs: dict[str, list[str]] = {}
    for q in quads:
        graphs.setdefault(q.graph_name.value, []).append(
            nt.lines([(str(q.subject), str(q.predicate), str(q.object))])[0]
        )  # type: ignore[union-attr]
    ref["b40.nq"] = "".join(
        line[:-1] + f"<{g}> .\n" for g in sorted(graphs) for line in sorted(set(graphs[g]))
    ).encode()
    return ref  # type: ignore[return-value]


@pytest.mark.parametrize("which", ["project", "generated"])
@pytest.mark.parametrize("run_mod", [1, 3, splice.RUN_MOD])
def test_dumps_made_of_pieces_are_the_whole_dataset_serialisations(monkeypatch, network, tmp_path, which, run_mod):
    monkeypatch.setattr(splice, "RUN_MOD", run_mod)  # 1: every subject a run of its own
    release = build(Settings(root=ROOT if which == "project" else network, out=tmp_path / "dist"))
    ref = _reference(release.path)
    assert b"_:" in ref["b40.trig"] or which == "generated"  # the ontology's blank nodes are in
    for name in NAMES:
        data = (release.path / name).read_bytes()
        assert data == ref[name], name
        assert gzip.decompress((release.path / (name + ".gz")).read_bytes()) == data, name


@pytest.mark.parametrize("case", ["state unreadable", "dump altered", "cache off", "other base", "other scheme"])
def test_without_a_usable_previous_release_every_piece_is_made(monkeypatch, network, tmp_path, case):
    from b40graph.publish import compress as gzchunks
    from b40graph.publish.state import STATE_FILE

    monkeypatch.setattr(splice, "RUN_MOD", 2)
    root = tmp_path / "p"
    shutil.copytree(network, root)
    first = build(Settings(root=root, out=root / "dist"))
    copied: list[str] = []
    copy = gzchunks.PieceWriter.copy
    monkeypatch.setattr(
        gzchunks.PieceWriter, "copy", lambda self, *a: (copied.append(self.path.name), copy(self, *a))[1]
    )
    decl = sorted((root / "data" / "declarations").glob("*.md"))[0]
    decl.write_text(decl.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    base = "https://example.org/b40/" if case == "other base" else Settings(root=root).base
    if case == "state unreadable":
        (first.path / STATE_FILE).write_bytes(b"not a pickle")
    if case == "dump altered":
        with (first.path / "b40.ttl").open("ab") as fh:
            fh.write(b"# altered\n")
    if case == "other scheme":  # runs cut otherwise than when the previous release was written
        monkeypatch.setattr(splice, "RUN_MOD", 3)
    warm = build(Settings(root=root, out=root / "dist", cache=case != "cache off", base=base))
    cold = build(Settings(root=root, out=tmp_path / "cold", cache=False, base=base))
    if case == "dump altered":
        assert "b40.ttl" not in copied and "b40.nt" in copied
    else:
        assert copied == []
    for name in NAMES:
        assert (warm.path / name).read_bytes() == (cold.path / name).read_bytes(), name
        assert (warm.path / (name + ".gz")).read_bytes() == (cold.path / (name + ".gz")).read_bytes(), name
