"""A rebuild validates only the nodes a change can reach (revalidate.py), and reports exactly what a
validation of the whole graph reports, for changes that break shapes inside the changed file and in
files that did not change."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from b40graph.author.synthetic import generate
from b40graph.core.settings import Settings
from b40graph.pipeline import build, compile_dataset
from b40graph.publish.state import STATE_FILE

from .conftest import ROOT
from .test_scale import _results


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated network of 60 municipalities, built once (the release a rebuild starts from)."""
    root = generate(60, tmp_path_factory.mktemp("net") / "p", seed=11)
    build(Settings(root=root, out=root / "dist"))
    return root


@pytest.fixture()
def project(released: Path, tmp_path: Path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(released, root, symlinks=True)
    return root


def _both(root: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The rebuild's compile (from the previous release) and a whole-graph compile of the same sources."""
    rebuild = compile_dataset(Settings(root=root, out=root / "dist"))
    whole = compile_dataset(Settings(root=root, out=tmp_path / "elsewhere", cache=False))
    assert whole.validation == "the whole graph"
    return rebuild, whole


def _declarations(root: Path, kind: str) -> list[Path]:
    return sorted((root / "data" / "declarations").glob(f"*-{kind}-*.md"))


def test_a_valid_change_revalidates_the_nodes_it_reaches_only(project, tmp_path):
    summit = _declarations(project, "summit")[1]
    summit.write_text(summit.read_text(encoding="utf-8").replace("title: ", "title: Revised ", 1), "utf-8")
    rebuild, whole = _both(project, tmp_path)
    assert rebuild.conforms and whole.conforms
    reached = int(rebuild.validation.split()[0])
    focus_nodes = _focus_count(whole)
    assert 0 < reached < focus_nodes / 4, (reached, focus_nodes)
    assert _results(rebuild.report) == _results(whole.report) == set()


def _focus_count(compiled) -> int:  # type: ignore[no-untyped-def]
    from b40graph.core import ntriples as nt
    from b40graph.reason.ontology import parse_turtle as _parse_turtle
    from b40graph.shacl import engine as shaclcore

    shapes = shaclcore.Shapes(_parse_turtle(ROOT / "shapes" / "b40.ttl", "shapes"))
    triples = [nt.split(line) for name, lines in compiled.graphs.items() for line in lines]
    data = shaclcore.Data(triples, shaclcore._paths(shapes.roots))
    return len({f for root in shapes.roots for f in data.focus_nodes(root)})


def _drop_an_accession(root: Path) -> None:
    """Members whose only accession this was lose their membership, so their signatures in thematic
    declarations, files that did not change, break the network-member shape."""
    _declarations(root, "accession")[0].unlink()


def _bad_reference_data(root: Path) -> None:
    with (root / "data" / "countries.csv").open("a", encoding="utf-8") as fh:
        fh.write("zzz,Country ZZZ,,Land ZZZ,el,,\n")


def _accession_without_founding(root: Path) -> None:
    """The accession stays but confers no membership: its own signatures break the network-member shape
    (inside the changed file) and so do its members' signatures elsewhere."""
    accession = _declarations(root, "accession")[0]
    text = accession.read_text(encoding="utf-8")
    assert "founding: true\n" in text
    accession.write_text(text.replace("founding: true\n", "", 1), "utf-8")


@pytest.mark.parametrize("change", [_drop_an_accession, _bad_reference_data, _accession_without_founding])
def test_a_breaking_change_is_reported_as_by_the_whole_graph(project, tmp_path, change):
    change(project)
    rebuild, whole = _both(project, tmp_path)
    assert rebuild.validation != "the whole graph"
    assert not whole.conforms and not rebuild.conforms
    assert _results(rebuild.report) == _results(whole.report) != set()
    assert [str(p) for p in rebuild.problems] == [str(p) for p in whole.problems]


def test_a_change_breaks_the_changed_file_and_files_that_did_not_change(project, tmp_path):
    changed = _declarations(project, "accession")[0].name
    _accession_without_founding(project)
    rebuild, _ = _both(project, tmp_path)
    files = {p.file.name for p in rebuild.problems if p.file is not None}
    assert changed in files and len(files - {changed}) >= 1, files


def _other_shapes(root: Path) -> None:
    shapes = root / "shapes" / "b40.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + "\n# a comment changes the shapes file\n", "utf-8")


def _edit_state(edit_state):  # type: ignore[no-untyped-def]
    """A change to the build state the current release left (publish.state.STATE_FILE)."""

    def edit(root: Path) -> None:
        path = root / "dist" / "current" / STATE_FILE
        state = pickle.loads(path.read_bytes())
        edit_state(state)
        path.write_bytes(pickle.dumps(state))

    return edit


def _other_key(state: dict) -> None:
    state["key"] = "a key of other code"


def _results_before(state: dict) -> None:
    state["validated"]["results"] = 2


@pytest.mark.parametrize(
    "change",
    [_other_shapes, _edit_state(_other_key), _edit_state(_results_before)],
    ids=["other shapes", "other code", "results in the previous report"],
)
def test_without_the_conditions_the_whole_graph_is_validated(project, change):
    summit = _declarations(project, "summit")[1]
    summit.write_text(summit.read_text(encoding="utf-8").replace("title: ", "title: Revised ", 1), "utf-8")
    assert compile_dataset(Settings(root=project, out=project / "dist")).validation != "the whole graph"
    change(project)
    assert compile_dataset(Settings(root=project, out=project / "dist")).validation == "the whole graph"
