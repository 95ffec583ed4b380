"""The site configuration (issue 13.1): a second network made only with `b40graph init`, its configuration and
data files shows its own name, title, licence and contact, and nothing of B40, on its pages, in its dataset
description and in its download names; b40graph.toml is checked key by key; `serve` takes the base and the
site of the release it serves."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID

from b40graph.cli import main

from .conftest import running_server

BASE = "https://example.org/danube/"
NETWORK = BASE + "id/network/danube-cities-network"
LICENCE = "https://creativecommons.org/licenses/by-sa/4.0/"
CONTACT = "secretariat@danube.example.org"
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
B40_VOCAB = Namespace("https://w3id.org/b40/ontology#")
# The ontology's namespace stays whatever the network: its IRI (also percent-encoded in the example links
# and as the slug of the description's class and property partitions) and its prefix b40: (its
# vann:preferredNamespacePrefix), written as a prefixed name, a PREFIX line or a JSON-LD context key.
NAMESPACE = re.compile(
    r"https?(://|%3A//|%3A%2F%2F)w3id\.org(/|%2F)b40(/|%2F)ontology|w3id-org-b40-ontology"
    r"|(?<![A-Za-z])b40(:|%3A)(?=[A-Za-z<%\s]|$)|\"b40\":",
    re.IGNORECASE,
)

COUNTRIES = "at,Austria,,Österreich,de,Q40,2782113\nsk,Slovakia,,Slovensko,sk,Q214,3057568\n"
PLACES = "vienna,City,Vienna,Wien,de,at,,Q1741,2761369\nbratislava,City,Bratislava,Bratislava,sk,sk,,Q1780,3060972\n"
MUNICIPALITIES = (
    "vienna,City of Vienna,Stadt Wien,de,vienna,\n"
    "bratislava,City of Bratislava,Hlavné mesto Bratislava,sk,bratislava,\n"
)
DECLARATION = """# Danube Mayors' Declaration on River Cities

We, the mayors of the cities of the Danube Cities Network;

- Recognising that the river connects our cities and their economies,

we commit to:

- Cooperate on climate adaptation along the river,
- Share good practices in flood protection.

Date: 14.03.2024

On behalf of City of Vienna

Anna MUSTERFRAU
Mayor of Vienna

On behalf of City of Bratislava

Peter NOVÁK
Mayor of Bratislava
"""


def b40_mentions(text: str) -> list[str]:
    """Every 'b40' (any case) in `text` outside the ontology's namespace, with some context."""
    rest = NAMESPACE.sub("", text)
    return [rest[max(0, m.start() - 40) : m.end() + 40] for m in re.finditer("b40", rest, re.IGNORECASE)]


def configure(folder: Path, *lines: str) -> None:
    """Set keys of the project's b40graph.toml the way a secretariat would: edit the file."""
    config = folder / "b40graph.toml"
    text = config.read_text(encoding="utf-8")
    for line in lines:
        key = line.split("=", 1)[0].strip()
        text = re.sub(rf"^#? ?{key} = .*$", line, text, count=1, flags=re.MULTILINE)
        assert line in text
    config.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def danube(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second network: `init`, three reference tables, a declaration added with `add`, the licence and
    contact set in b40graph.toml; built. No code, no file of the B40 project."""
    work = tmp_path_factory.mktemp("danube")
    folder = work / "danube"
    assert main(["init", str(folder), "--name", "Danube Cities Network", "--base", BASE]) == 0
    for name, rows in (("countries", COUNTRIES), ("places", PLACES), ("municipalities", MUNICIPALITIES)):
        with (folder / "data" / f"{name}.csv").open("a", encoding="utf-8") as fh:
            fh.write(rows)
    incoming = work / "river-cities.txt"
    incoming.write_text(DECLARATION, encoding="utf-8")
    assert main(["add", str(incoming), "--root", str(folder)]) == 0
    configure(folder, f'licence = "{LICENCE}"', f'contact = "{CONTACT}"')
    assert main(["build", "--root", str(folder)]) == 0
    return folder


def _local(url: str, iri: str) -> str:
    assert iri.startswith(BASE), iri
    return url + "/" + iri[len(BASE) :]


def _void(url: str) -> Graph:
    answer = requests.get(url + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=30)
    assert answer.status_code == 200
    return Graph().parse(data=answer.text, format="turtle")


def test_second_network_pages_description_and_downloads_are_its_own(danube):
    draft = next((danube / "data" / "declarations").glob("*.md")).read_text(encoding="utf-8")
    declaration = re.search(r"^id: (\S+)", draft, re.MULTILINE)[1]  # type: ignore[index]
    with running_server("--root", str(danube), "--no-build", "--query-workers", "1") as url:
        pages = {
            path: requests.get(url + path, headers={"Accept": "text/html"}, timeout=30)
            for path in (
                "/",
                "/doc/municipality/vienna",
                f"/doc/declaration/{declaration}",
                "/doc/network/danube-cities-network",
                "/download/",
                "/ontology",
                "/sparql",
                "/doc/dataset",
                "/search?q=vienna",
                "/overview/",
            )
        }
        void_text = requests.get(url + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=30).text
        service = requests.get(url + "/sparql", headers={"Accept": "text/turtle"}, timeout=30).text
        void = _void(url)
        dumps = sorted(str(o) for o in void.objects(None, VOID.dataDump))
        downloads = {d: requests.head(_local(url, d), timeout=30).status_code for d in dumps}
        publisher = void.value(URIRef(BASE + "id/dataset"), DCTERMS.publisher)
        publisher_doc = requests.get(
            _local(url, str(publisher)), headers={"Accept": "text/turtle"}, timeout=30, allow_redirects=True
        )
        release_json = requests.get(url + "/download/release.json", timeout=30)
        manifest = requests.get(url + "/reconcile", timeout=30).json()
        linked = {  # what the pages load: the icon in the browser's tab, the query editor's own files
            path: requests.get(url + path, timeout=30)
            for page in pages.values()
            for path in re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
            if "/yasgui/" not in path  # the bundled third-party editor, not ours
        }
    for path, page in pages.items():
        assert page.status_code == 200, path
        assert b40_mentions(page.text) == [], path
    assert b40_mentions(void_text) == [] and b40_mentions(service) == []
    assert any("favicon" in path for path in linked)
    for path, answer in linked.items():
        assert answer.status_code == 200 and b40_mentions(answer.text) == [], path
    assert manifest["name"] == "Danube Cities Network reconciliation"
    service_graph = Graph().parse(data=service, format="turtle")
    assert Literal("SPARQL endpoint of Danube Cities Network declarations", lang="en") in set(service_graph.objects())
    home = pages["/"].text
    assert "<h1>Danube Cities Network declarations</h1>" in home
    assert "<title>Danube Cities Network declarations · Danube Cities Network</title>" in home
    assert "The declarations of the Danube Cities Network as Linked Open Data" in home
    # the counts of a small network read as English: one declaration, not "1 declarations"
    assert "2 member municipalities in 2 countries; 1 declaration, 2 signatures." in home
    for page in pages.values():  # the footer on every page: the licence and the contact
        assert f'<a href="{LICENCE}" rel="license">CC BY-SA 4.0</a>' in page.text
        assert f'<a href="mailto:{CONTACT}">' in page.text
    overview = pages["/overview/"].text
    assert "2 member municipalities in 2 countries; 1 declaration with 2 signatures and 2 commitments" in overview
    # the description says the same, and its publisher is a resource of the data, not a made-up IRI
    dataset = URIRef(BASE + "id/dataset")
    assert void.value(dataset, DCTERMS.title) == Literal("Danube Cities Network declarations", lang="en")
    assert void.value(dataset, DCTERMS.license) == URIRef(LICENCE)
    assert publisher == URIRef(NETWORK)
    assert publisher_doc.status_code == 200
    about = Graph().parse(data=publisher_doc.text, format="turtle")
    assert (URIRef(NETWORK), RDF.type, B40_VOCAB.Network) in about
    contact = void.value(dataset, DCAT.contactPoint)
    assert contact is not None and void.value(contact, VCARD.hasEmail) == URIRef(f"mailto:{CONTACT}")
    # downloads: named by the configured stem, every one served
    names = {urlsplit(d).path.rsplit("/", 1)[-1] for d in dumps}
    assert names == {f"danube-cities-network.{ext}" for ext in ("trig", "nq", "ttl", "nt", "jsonld")}
    assert set(downloads.values()) == {200}
    assert b40_mentions(" ".join(path.name for path in (danube / "dist" / "current").iterdir())) == []
    assert release_json.status_code == 200 and b40_mentions(release_json.text) == []
    assert json.loads(release_json.text)["site"]["title"] == "Danube Cities Network declarations"


def test_a_dump_served_alone_shows_the_networks_own_title(danube, tmp_path):
    """`serve --dataset FILE` away from the project (no b40graph.toml): the pages take the title, name and
    licence from the description the dump carries, not "Declarations · Declarations"."""
    dump = danube / "dist" / "current" / "danube-cities-network.trig"
    alone = tmp_path / "elsewhere"
    alone.mkdir()
    with running_server("--root", str(alone), "--dataset", str(dump), "--base", BASE, "--query-workers", "1") as url:
        home = requests.get(url + "/", headers={"Accept": "text/html"}, timeout=30).text
    assert "<h1>Danube Cities Network declarations</h1>" in home
    assert "<title>Danube Cities Network declarations · Danube Cities Network</title>" in home
    assert f'<a href="{LICENCE}" rel="license">CC BY-SA 4.0</a>' in home
    assert b40_mentions(home) == []


def test_the_b40_project_is_one_configuration():
    """The B40 project's pages say what its b40graph.toml says (the same checks as for any network)."""
    from .conftest import ROOT

    text = (ROOT / "b40graph.toml").read_text(encoding="utf-8")
    assert 'dump = "b40"' in text and 'licence = "https://creativecommons.org/licenses/by/4.0/"' in text


def test_configuration_without_licence_shows_none_or_the_datas_own(tmp_path):
    folder = tmp_path / "net"
    assert main(["init", str(folder), "--name", "Net", "--base", "https://example.org/net/"]) == 0
    assert main(["build", "--root", str(folder)]) == 0
    info = json.loads((folder / "dist" / "current" / "release.json").read_text(encoding="utf-8"))
    assert info["site"]["licence"] == "" and info["site"]["publisher"] == "https://example.org/net/id/network/net"
    network = folder / "data" / "network.ttl"
    network.write_text(
        network.read_text(encoding="utf-8").replace(
            "skos:prefLabel", "dct:license <https://creativecommons.org/publicdomain/zero/1.0/> ;\n    skos:prefLabel"
        ),
        encoding="utf-8",
    )
    assert main(["build", "--root", str(folder)]) == 0
    info = json.loads((folder / "dist" / "current" / "release.json").read_text(encoding="utf-8"))
    assert info["site"]["licence"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    desc = Graph().parse(folder / "dist" / "current" / "net.ttl", format="turtle")
    assert (URIRef("https://example.org/net/id/dataset"), DCTERMS.license, None) in desc


@pytest.mark.parametrize(
    "line,key,says",
    [
        ('colour = "blue"', "colour", "unknown setting 'colour'"),
        ("title = 3", "title", "'title' must be the site's and dataset's title, e.g. title = "),
        ('languages = "en"', "languages", "'languages' must be a list of language tags, e.g. languages = ["),
        ('licence = "CC BY 4.0"', "licence", "'licence' must be the licence's IRI, e.g. licence = "),
        ('contact = "call us"', "contact", "'contact' must be an e-mail address or http(s) URL"),
        ('dump = "my data/x"', "dump", "'dump' must be the dump file stem"),
    ],
)
def test_bad_configuration_is_a_usage_error_naming_file_and_key(tmp_path, capsys, line, key, says):
    folder = tmp_path / "net"
    assert main(["init", str(folder), "--name", "Net", "--base", "https://example.org/net/"]) == 0
    config = folder / "b40graph.toml"
    if key == "colour":
        config.write_text(config.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    else:
        configure(folder, line)
    capsys.readouterr()
    assert main(["build", "--root", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {config}: ") and says in err, err
    assert not (folder / "dist").exists()


def test_publisher_must_be_described_in_the_data(tmp_path, capsys):
    folder = tmp_path / "net"
    assert main(["init", str(folder), "--name", "Net", "--base", "https://example.org/net/"]) == 0
    configure(folder, 'publisher = "id/network/nowhere"')
    capsys.readouterr()
    assert main(["build", "--root", str(folder)]) == 2
    assert "publisher <https://example.org/net/id/network/nowhere> is not described" in capsys.readouterr().err
    configure(folder, 'publisher = "https://example.com/secretariat"')  # outside the base: as given
    assert main(["build", "--root", str(folder)]) == 0
    info = json.loads((folder / "dist" / "current" / "release.json").read_text(encoding="utf-8"))
    assert info["site"]["publisher"] == "https://example.com/secretariat"


def test_serve_without_base_serves_the_release_it_finds(danube, tmp_path):
    """A dist folder served from elsewhere (no b40graph.toml there, as a wheel install would), and a project
    built with --base and served without it: both serve the release's own base and site."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with running_server("--root", str(elsewhere), "--out", str(danube / "dist"), "--no-build") as url:
        home = requests.get(url + "/", timeout=30)
        page = requests.get(url + "/doc/municipality/vienna", headers={"Accept": "text/html"}, timeout=30)
        sitemap = requests.get(url + "/sitemap.xml", timeout=30).text
    assert home.status_code == 200 and "<h1>Danube Cities Network declarations</h1>" in home.text
    assert page.status_code == 200 and "City of Vienna" in page.text
    assert f"<loc>{BASE}doc/municipality/vienna</loc>" in sitemap

    project = tmp_path / "nobase"
    shutil.copytree(danube, project, ignore=shutil.ignore_patterns("dist"))
    config = project / "b40graph.toml"
    config.write_text(re.sub(r"^base = .*\n", "", config.read_text(encoding="utf-8"), flags=re.MULTILINE), "utf-8")
    assert main(["build", "--root", str(project), "--base", "https://example.org/elsewhere/"]) == 0
    for extra in (["--no-build"], []):  # the release is current with its own base: nothing to rebuild either
        with running_server("--root", str(project), "--query-workers", "1", *extra) as url:
            page = requests.get(url + "/doc/municipality/vienna", headers={"Accept": "text/turtle"}, timeout=30)
        assert page.status_code == 200, extra
        assert "<https://example.org/elsewhere/id/municipality/vienna>" in page.text


def test_a_changed_configuration_is_published_as_a_new_release(tmp_path):
    from b40graph.core.settings import Settings
    from b40graph.pipeline import is_current

    folder = tmp_path / "net"
    assert main(["init", str(folder), "--name", "Net", "--base", "https://example.org/net/"]) == 0
    assert main(["build", "--root", str(folder)]) == 0
    first = (folder / "dist" / "current").resolve()
    configure(folder, 'title = "The Net, renamed"')
    assert not is_current(Settings(root=folder))  # the configuration is an input
    assert main(["build", "--root", str(folder)]) == 0
    second = (folder / "dist" / "current").resolve()
    assert second != first and is_current(Settings(root=folder))
    assert json.loads((second / "release.json").read_text(encoding="utf-8"))["site"]["title"] == "The Net, renamed"
    desc = Graph().parse(second / "net.ttl", format="turtle")
    title = desc.value(URIRef("https://example.org/net/id/dataset"), DCTERMS.title)
    assert title == Literal("The Net, renamed", lang="en")
