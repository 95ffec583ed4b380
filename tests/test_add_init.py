"""`b40graph add` (a declaration from PDF, Word, Markdown or text), `b40graph init` (a new network's project)
and the declarations folder that names every file it does not read."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from fpdf import FPDF

from b40graph.author.draft import guess_language
from b40graph.author.project import HEADERS
from b40graph.cli import main
from b40graph.core.settings import Settings
from b40graph.pipeline import build
from b40graph.store.embedded import EmbeddedBackend
from b40graph.web.app import create_app

from .conftest import ROOT, copy_project, select

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
ORIGINAL = ROOT / "data" / "declarations" / "2021-11-30-b40-founding-declaration.md"
B40 = "https://w3id.org/b40/"


def body_of(path: Path) -> str:
    """The verbatim text below a declaration file's front matter."""
    return path.read_text(encoding="utf-8").split("\n---\n", 1)[1]


def blocks(body: str) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for line in body.split("\n"):
        if line.strip():
            out[-1].append(line.strip())
        elif out[-1]:
            out.append([])
    return [b for b in out if b]


def render_pdf(body: str, dest: Path) -> Path:
    """The text as a printed declaration: bold title, justified paragraphs, a running header and page numbers."""
    assert FONT.is_file(), "fonts-dejavu-core is missing: run scripts/setup --test (it installs it)"

    class Doc(FPDF):
        def header(self) -> None:
            self.set_font("dejavu", size=8)
            self.cell(0, 6, "B40 Balkan Cities Network", align="R", new_x="LMARGIN", new_y="NEXT")

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("dejavu", size=8)
            self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Doc()
    pdf.add_font("dejavu", fname=str(FONT))
    pdf.add_font("dejavu", style="B", fname=str(BOLD))
    pdf.add_page()
    for block in blocks(body):
        title = block[0].startswith("**") and block[-1].endswith("**")
        pdf.set_font("dejavu", style="B" if title else "", size=16 if title else 11)
        for line in block:
            pdf.multi_cell(0, 8 if title else 5.5, line.replace("**", ""), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(5)
    pdf.output(str(dest))
    return dest


def render_docx(body: str, dest: Path) -> Path:
    """The text as a Word document: a Title paragraph, paragraphs reflowed, bullets as a list, one paragraph per
    line in the signature blocks."""
    import docx

    document = docx.Document()
    signatures = False
    for block in blocks(body):
        signatures = signatures or block[0].startswith("On behalf of")
        if block[0].startswith("**"):
            para = document.add_paragraph(style="Title")
            for i, line in enumerate(block):
                if i:
                    para.add_run().add_break()
                para.add_run(line.replace("**", ""))
        elif block[0].startswith("- "):
            for line in block:
                document.add_paragraph(line[2:], style="List Bullet")
        elif signatures:
            for line in block:
                document.add_paragraph(line)
        else:
            document.add_paragraph(" ".join(block).replace("**", ""))
    document.save(str(dest))
    return dest


SIGNATURES = """
SELECT ?name ?municipality ?role WHERE {
  ?declaration b40:hasSignature ?s .
  ?s prov:agent/foaf:name ?name ; b40:onBehalfOf ?municipality ; b40:signatoryRole/rdfs:label ?role .
}"""


def signatures_of(store: ox.Store, declaration: str) -> set[tuple[str, str, str]]:
    query = SIGNATURES.replace("?declaration", f"<{B40}id/declaration/{declaration}>")
    return {(r["name"], r["municipality"].rsplit("/", 1)[-1], r["role"]) for r in select(store, query)}


def drafted_id(path: Path) -> str:
    match = re.search(r"^id: (\S+)", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, path
    return match.group(1)


@pytest.fixture(scope="module")
def resigned(tmp_path_factory: pytest.TempPathFactory):
    """The project with the 2021 declaration added again from a PDF and from a .docx, built as drafted."""
    tmp = tmp_path_factory.mktemp("resigned")
    project = copy_project(tmp / "project")
    body = body_of(ORIGINAL)
    pdf = render_pdf(body, tmp / "Declaration B40 2021.pdf")
    word = render_docx(body, tmp / "Declaration B40 2021.docx")
    before = set((project / "data" / "declarations").iterdir())
    outputs = {}
    for document in (pdf, word):
        assert main(["add", str(document), "--root", str(project)]) == 0
        new = set((project / "data" / "declarations").iterdir()) - before
        assert len(new) == 1
        (path,) = new
        before.add(path)
        outputs[document.suffix] = path
    settings = Settings(root=project, out=tmp / "out", query_workers=1)
    release = build(settings)  # the drafts as written: not edited
    store = ox.Store.read_only(str(release.store))
    return outputs, store


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_added_document_builds_with_the_signatures_of_the_text(resigned, suffix):
    outputs, store = resigned
    draft = outputs[suffix]
    assert re.fullmatch(r"2021-11-30-[a-z0-9-]+\.md", draft.name)
    original = signatures_of(store, "2021-b40-founding-declaration")
    copy = signatures_of(store, drafted_id(draft))
    assert len(original) == 22
    assert copy == original
    # names in proper case (Turkish casing for Turkish members), roles without the municipality
    assert ("Ekrem İmamoğlu", "istanbul", "Mayor") in copy
    assert ("Mehmet Siyam Kesimoğlu", "kirklareli", "Mayor") in copy
    assert ("Merita Maliqi", "prishtina", "Head of International Cooperation and EU Integration") in copy


def test_draft_marks_what_was_guessed(resigned):
    outputs, store = resigned
    text = outputs[".pdf"].read_text(encoding="utf-8")
    header = text.split("\n---\n", 1)[0]
    for key in ("id", "title", "language"):
        assert re.search(rf"^{key}: .*# GUESSED", header, re.MULTILINE), key
    assert re.search(r"^adopted: 2021-11-30 ", header, re.MULTILINE)  # from the text's "Date: 30.11.2021"
    assert "Date: 30.11.2021" in text and "Page 1" not in text and "B40 Balkan Cities Network\n" not in text
    rows = select(
        store,
        f"SELECT ?title ?lang WHERE {{ <{B40}id/declaration/{drafted_id(outputs['.pdf'])}> dct:title ?title ;"
        " dct:language ?lang }",
    )
    assert rows == [
        {"title": "B40 Balkan Cities Network Declaration", "lang": "http://id.loc.gov/vocabulary/iso639-1/en"}
    ]


def test_add_prints_the_review(tmp_path, capsys):
    project = copy_project(tmp_path / "p")
    pdf = render_pdf(body_of(ORIGINAL), tmp_path / "d.pdf")
    assert main(["add", str(pdf), "--root", str(project), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Signatures found: 22" in out
    assert "Kostas Bakoyannis, Mayor, City of Athens (athens)" in out
    assert re.search(r"operative .*climate-action \('climate change'\)", out)
    assert "would write" in out
    assert sorted((project / "data" / "declarations").iterdir()) == sorted(
        project / "data" / "declarations" / p.name for p in (ROOT / "data" / "declarations").iterdir()
    )  # --dry-run wrote nothing


UNKNOWN = """# Test declaration

We declare to:

- Work together on climate change,

Date: 01.02.2024

On behalf of Municipality of Atlantis

Poseidon KRONIDES
Mayor of Atlantis

On behalf of Municipality of Athns

Kostas BAKOYANNIS
Mayor of Athens
"""


def test_review_names_unknown_municipalities_and_closest_match(tmp_path, capsys):
    project = copy_project(tmp_path / "p")
    source = tmp_path / "unknown.MARKDOWN"
    source.write_text(UNKNOWN, encoding="utf-8")
    code = main(["add", str(source), "--root", str(project), "--dry-run"])
    captured = capsys.readouterr()
    assert code == 1  # the draft would not build until the municipalities are known
    assert "not build" in captured.err
    athns = re.search(r"'Municipality of Athns' \(line \d+\): closest: (.+)", captured.out)
    assert athns and athns.group(1) == "athens"
    atlantis = re.search(r"'Municipality of Atlantis' \(line \d+\): closest: ([a-z-]+)", captured.out)
    slugs = {line.split(",", 1)[0] for line in (project / "data" / "municipalities.csv").read_text().splitlines()}
    assert atlantis and atlantis.group(1) in slugs
    assert "Municipality of Atlantis" in captured.out and "did you mean athens" in captured.out


@pytest.mark.parametrize(
    ("name", "content", "code", "message"),
    [
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nthis is not a PDF", 2, "damaged or not a PDF"),
        ("broken.docx", b"PK\x03\x04 not a zip", 2, "damaged or not a .docx"),
        ("notes.odt", b"whatever", 2, "cannot read a '.odt' file"),
        ("empty.txt", b"  \n\n \n", 2, "no text found"),
        ("latin1.txt", "Déclaration".encode("latin-1"), 1, "not valid UTF-8"),
        ("declared.md", b"---\nid: x\n---\ntext\n", 2, "already has a front matter"),
    ],
)
def test_add_refuses_unreadable_files(tmp_path, capsys, name, content, code, message):
    project = copy_project(tmp_path / "p")
    bad = tmp_path / name
    bad.write_bytes(content)
    before = sorted((project / "data" / "declarations").iterdir())
    assert main(["add", str(bad), "--root", str(project)]) == code
    err = capsys.readouterr().err
    assert str(bad) in err and message in err
    assert sorted((project / "data" / "declarations").iterdir()) == before


def test_empty_pdf_is_refused(tmp_path, capsys):
    assert FONT.is_file()
    pdf = FPDF()
    pdf.add_page()  # a page with no text: a scan would look like this
    pdf.output(str(tmp_path / "scan.pdf"))
    project = copy_project(tmp_path / "p")
    assert main(["add", str(tmp_path / "scan.pdf"), "--root", str(project)]) == 2
    assert "no text found in the PDF file" in capsys.readouterr().err


def test_language_guess():
    assert guess_language("We declare that the cities of the network will work together for peace.")[0] == "en"
    assert (
        guess_language("Ağımızın şehirleri ve belediyeleri bu bildiri ile birlikte çalışmak için söz verir.")[0] == "tr"
    )
    assert guess_language("Εμείς, οι δήμαρχοι των πόλεων, δηλώνουμε ότι θα συνεργαστούμε.")[0] == "el"


# --- init ----------------------------------------------------------------------------------------------------


def test_init_creates_a_project_that_builds_and_serves(tmp_path, capsys):
    folder = tmp_path / "danube"
    base = "https://example.org/danube/"
    assert main(["init", str(folder), "--name", "Danube Cities Network", "--base", base]) == 0
    for name, header in HEADERS.items():
        assert (folder / "data" / name).read_text(encoding="utf-8") == header + "\n"
    assert (folder / "ontology" / "b40.ttl").read_bytes() == (ROOT / "ontology" / "b40.ttl").read_bytes()
    assert (folder / "shapes" / "b40.ttl").read_bytes() == (ROOT / "shapes" / "b40.ttl").read_bytes()
    assert (folder / "README.md").is_file() and (folder / "data" / "declarations").is_dir()
    settings = Settings(root=folder, query_workers=1)
    assert settings.base == base and settings.name == "Danube Cities Network"

    assert main(["build", "--root", str(folder)]) == 0
    store = ox.Store.read_only(str(folder / "dist" / "current" / "store"))
    network = base + "id/network/danube-cities-network"
    rows = select(store, f"SELECT ?label WHERE {{ <{network}> a b40:Network ; skos:prefLabel ?label }}")
    assert rows == [{"label": "Danube Cities Network"}]
    assert not select(store, "SELECT ?d WHERE { ?d a b40:Declaration }")
    assert not select(store, "SELECT ?m WHERE { ?dataset dct:modified ?m }")  # no declaration, no date (not "")
    assert not select(store, f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{B40}id/')) }} LIMIT 1")
    del store

    backend = EmbeddedBackend(settings)
    try:
        client = create_app(settings, backend).test_client()
        assert client.get("/").status_code == 200
        page = client.get("/doc/network/danube-cities-network", headers={"Accept": "text/html"})
        assert page.status_code == 200 and b"Danube Cities Network" in page.data
    finally:
        backend.close()


def test_init_refuses_a_folder_in_use(tmp_path, capsys):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "file").write_text("mine")
    assert main(["init", str(tmp_path / "x"), "--name", "N", "--base", "https://example.org/n/"]) == 2
    assert "not an empty folder" in capsys.readouterr().err
    assert main(["init", str(tmp_path / "y"), "--name", "N", "--base", "example.org"]) == 2


def test_init_headers_are_the_b40_projects():
    for name, header in HEADERS.items():
        assert (ROOT / "data" / name).read_text(encoding="utf-8").split("\n", 1)[0] == header


def test_config_file_gives_base_and_name(tmp_path):
    (tmp_path / "b40graph.toml").write_text('base = "https://example.org/x"\nname = "X"\n', encoding="utf-8")
    settings = Settings(root=tmp_path)
    assert (settings.base, settings.name) == ("https://example.org/x/", "X")
    assert Settings(root=tmp_path, base="https://other.org/").base == "https://other.org/"
    moved = Settings(root=ROOT).with_(root=tmp_path)  # a new root's configuration is read again
    assert moved.base == "https://example.org/x/"
    assert moved.with_(root=ROOT).base == B40
    (tmp_path / "b40graph.toml").write_text('base = "https://example.org/x"\ncolour = "X"\n', encoding="utf-8")
    with pytest.raises(Exception, match="unknown setting 'colour'"):
        Settings(root=tmp_path)


def test_wheel_carries_ontology_and_shapes(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("b40graph-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert archive.read("b40graph/vocabulary/ontology/b40.ttl") == (ROOT / "ontology" / "b40.ttl").read_bytes()
        assert archive.read("b40graph/vocabulary/shapes/b40.ttl") == (ROOT / "shapes" / "b40.ttl").read_bytes()
    assert "b40graph/web/templates/home.html" in names


# --- Files in data/declarations/ that are not declarations ------------------------------------------------------


@pytest.mark.parametrize("engine", ["fast", "plain"])
def test_files_that_are_not_declarations_are_errors(tmp_path, capsys, engine):
    folder = tmp_path / "net"
    assert main(["init", str(folder), "--name", "Net", "--base", "https://example.org/net/"]) == 0
    declarations = folder / "data" / "declarations"
    for name in ("Summit.MD", "summit.markdown", "summit.pdf", "summit.docx", "notes.odt", "photo.jpg"):
        (declarations / name).write_bytes(b"x")
    (declarations / "originals").mkdir()
    settings = Settings(root=folder, engine=engine)
    from b40graph.core.errors import DataError

    with pytest.raises(DataError) as caught:
        build(settings)
    problems = {p.file.name: p for p in caught.value.problems if p.file is not None}
    assert set(problems) == {
        "Summit.MD",
        "summit.markdown",
        "summit.pdf",
        "summit.docx",
        "notes.odt",
        "photo.jpg",
        "originals",
    }
    assert problems["Summit.MD"].fix == "rename it to Summit.md"
    assert problems["summit.markdown"].fix == "rename it to summit.md"
    assert "b40graph add summit.pdf" in (problems["summit.pdf"].fix or "")
    assert "b40graph add summit.docx" in (problems["summit.docx"].fix or "")
    # the command line says it too, with exit code 1
    assert main(["validate", "--root", str(folder)]) == 1
    assert "Summit.MD" in capsys.readouterr().err


def test_docx_signatures_in_a_table(tmp_path, capsys):
    """Word documents often set the signature blocks side by side in a table: each cell is one block."""
    import docx

    document = docx.Document()
    document.add_paragraph("Test Declaration", style="Title")
    document.add_paragraph("We declare to:")
    document.add_paragraph("Work together on climate change,", style="List Bullet")
    document.add_paragraph("Date: 01.02.2024")
    table = document.add_table(rows=1, cols=2)
    for cell, (city, name) in zip(
        table.rows[0].cells, [("Athens", "Kostas BAKOYANNIS"), ("Split", "Ivica PULJAK")], strict=True
    ):
        cell.paragraphs[0].text = f"On behalf of City of {city}"
        cell.add_paragraph(name)
        cell.add_paragraph(f"Mayor of {city}")
    document.save(str(tmp_path / "t.docx"))
    project = copy_project(tmp_path / "p")
    assert main(["add", str(tmp_path / "t.docx"), "--root", str(project), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Signatures found: 2" in out
    assert "Kostas Bakoyannis, Mayor, City of Athens (athens)" in out
    assert "Ivica Puljak, Mayor, City of Split (split)" in out
    assert "title: Test Declaration" in out
