"""Bad input: a clear message (file, line, fix), exit code 1, and the previous dist/ untouched."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from b40graph.cli import main

from .conftest import copy_project

DECL = "data/declarations/2021-11-30-b40-founding-declaration.md"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = copy_project(tmp_path / "p")
    assert main(["build", "--root", str(root), "--no-progress"]) == 0
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _fails(root: Path, capsys, *expected: str) -> str:
    before = (root / "dist/current").resolve()
    snapshot = (before / "b40.nq").read_bytes()
    assert main(["build", "--root", str(root), "--no-progress"]) == 1
    err = capsys.readouterr().err
    for text in expected:
        assert text in err, err
    assert (root / "dist/current").resolve() == before
    assert (before / "b40.nq").read_bytes() == snapshot
    return err


def test_unknown_municipality(project, capsys):
    _edit(project / DECL, "On behalf of City of Athens", "On behalf of City of Atlantis")
    err = _fails(project, capsys, "Atlantis", "not in the reference data", "municipalities.csv")
    assert f"{DECL}:56" in err


def test_signature_block_missing_its_name(project, capsys):
    _edit(project / DECL, "Kostas BAKOYANNIS\n", "")
    _fails(project, capsys, "has no name line", f"{DECL}:59", "fix:")


def test_malformed_date_in_front_matter(project, capsys):
    _edit(project / DECL, "adopted: 2021-11-30", "adopted: 30.11.2021")
    _fails(project, capsys, "is not a date", f"{DECL}:5", "YYYY-MM-DD")


def test_impossible_date_in_front_matter(project, capsys):
    _edit(project / DECL, "adopted: 2021-11-30", "adopted: 2021-13-45")
    _fails(project, capsys, f"{DECL}:5", "YYYY-MM-DD")


def test_file_not_utf8(project, capsys):
    path = project / DECL
    path.write_bytes(path.read_bytes().replace("Constanța".encode(), "Constan\xfea".encode("latin-1"), 1))
    _fails(project, capsys, "not valid UTF-8", f"{DECL}:68", "iconv")


def test_theme_label_matching_nothing(project, capsys):
    _edit(project / DECL, "founding: true\n", "founding: true\nthemes:\n  space exploration: 9\n")
    _fails(project, capsys, "space exploration", "matches no theme", "themes.ttl")


def test_shape_violation_in_reference_data(project, capsys):
    # A municipality whose English name is gone: its label is no longer English-tagged and it has no country.
    _edit(
        project / "data/places.csv",
        "pula,City,Pula,Pula,hr,hr,,Q4656,3192224",
        "pula,City,Pula,Pula,hr,zz,,Q4656,3192224",
    )
    _fails(project, capsys, "places.csv", "'zz'")


def test_validate_reports_without_writing(project, capsys):
    assert main(["validate", "--root", str(project), "--no-progress"]) == 0
    assert "valid:" in capsys.readouterr().out


def test_shacl_violation_names_file_and_line(project, capsys):
    # Remove the operative lead-in: every clause becomes preamble, so no commitment is left.
    _edit(
        project / "data/declarations/2025-02-24-b40-sofia-summit-declaration.md",
        "Recognizing the critical need",
        "Recognizing the critical need",
    )
    path = project / "data/themes.ttl"
    path.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<id/themes> a skos:ConceptScheme .\n"
        '<id/theme/x> a skos:Concept ; skos:prefLabel "Nothing that matches"@en .\n',
        encoding="utf-8",
    )
    err = _fails(project, capsys, "2025-02-24-b40-sofia-summit-declaration.md")
    assert "theme" in err.lower()


def test_unchanged_build_is_identical(project):
    first = (project / "dist/current").resolve()
    assert main(["build", "--root", str(project), "--no-progress"]) == 0
    assert filecmp.cmp(first / "b40.trig", (project / "dist/current").resolve() / "b40.trig", shallow=False)
