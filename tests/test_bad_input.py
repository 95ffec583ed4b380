"""Bad input: a clear message (file, line, fix), exit code 1, and the previous dist/ untouched."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from b40graph.cli import main

from .conftest import copy_project

DECL = "data/declarations/2021-11-30-b40-founding-declaration.md"
SUMMIT = "data/declarations/2025-02-24-b40-sofia-summit-declaration.md"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = copy_project(tmp_path / "p")
    assert main(["build", "--root", str(root), "--no-progress"]) == 0
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text and old != new  # an edit that changes nothing would test the good input
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
    # The summit declaration reduced to one paragraph that commits to nothing: no operative clause, so no
    # theme; the shapes require one, and the violation is placed on the declaration's `id:` line (line 3).
    path = project / SUMMIT
    front, _, _ = path.read_text(encoding="utf-8").partition("\n---\n")
    path.write_text(front + "\n---\n\nThe mayors met in Sofia on 24 February 2025.\n", encoding="utf-8")
    err = _fails(project, capsys, f"{SUMMIT}:3: No operative clause of this declaration names a theme")
    assert "2025-b40-sofia-summit-declaration> ontology#commitsTo]" in err
    assert "2021-11-30-b40-founding-declaration" not in err  # the other declaration is untouched and valid


def test_unchanged_build_is_identical(project):
    # An identical build keeps the folder of the release it matches (a running server may have it open), so
    # comparing `current` before and after would compare each file with itself. The first release is moved
    # aside under another name, `current` pointing at it: the rebuild (warm, reusing its pieces) writes a
    # folder of its own, compared byte for byte with the first.
    dist = project / "dist"
    first = (dist / "current").resolve()
    aside = first.with_name(first.name + "-first")
    first.rename(aside)
    (dist / "current").unlink()
    (dist / "current").symlink_to(Path("releases") / aside.name)
    assert main(["build", "--root", str(project), "--no-progress"]) == 0
    second = (dist / "current").resolve()
    assert second == first and second.is_dir() and aside.is_dir()
    for name in ("b40.trig", "b40.nq", "b40.ttl", "b40.nt", "b40.jsonld", "b40.nq.gz", "shacl-report.ttl"):
        assert filecmp.cmp(aside / name, second / name, shallow=False), name


def test_a_row_with_more_values_than_columns(project, capsys):
    # Aliases separated by a comma instead of '|': the row has a value more than the header has columns.
    _edit(
        project / "data/municipalities.csv",
        "pula,City of Pula,Grad Pula,hr,pula,Pola\n",
        "pula,City of Pula,Grad Pula,hr,pula,Pola,Pulj\n",
    )
    _fails(project, capsys, "data/municipalities.csv:17: the row has 7 values, the header 6 columns", "quote")


def test_a_membership_row_with_more_values_than_columns(project, capsys):
    path = project / "data/memberships.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header == "network,municipality,joined,left,basis"
    path.write_text(header + "\nb40,pula,2024-05-01,,the decision of the assembly, 2024\n", encoding="utf-8")
    _fails(project, capsys, "data/memberships.csv:2: the row has 6 values, the header 5 columns")
