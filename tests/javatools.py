"""Java tools from Debian's packages for the tests: Apache Jena's SHACL (libapache-jena-java) and the OWL API
(libowlapi-java), which scripts/setup --test installs. A test that needs one skips when it is absent.

The class path is the package's jars and those of the Java libraries it depends on (dpkg's lists), with
one SLF4J binding: libslf4j-java ships them all, and two on one class path stop Jena at start-up.
Debian's jena-core 4.5.0 moves Jena's copy of Xerces to the package `xerces` but leaves its message
files under org/apache/jena/ext/xerces, and Xerces then fails to start ("internal error" in
XSSimpleTypeDecl.applyFacets1); `jena_classpath` copies them to where the classes look for them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from functools import cache
from pathlib import Path

import pytest

_BINDINGS = re.compile(
    r"/(slf4j-(jcl|jdk14|log4j12|migrator|simple|reload4j)|log4j-over-slf4j|jcl-over-slf4j|jul-to-slf4j)\.jar$"
)
_VERSIONED = re.compile(r"-\d[\w.]*\.jar$")  # the same jar again, under its versioned name


def _installed(package: str) -> bool:
    if shutil.which("dpkg-query") is None:
        return False
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], check=False, capture_output=True, text=True)
    return done.returncode == 0 and "install ok installed" in done.stdout


@cache
def _jars(package: str) -> tuple[str, ...]:
    seen: set[str] = set()
    todo = [package]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        depends = subprocess.run(
            ["dpkg-query", "-W", "-f=${Depends}", name], check=False, capture_output=True, text=True
        ).stdout
        for alternative in depends.split(","):
            dep = alternative.split("|")[0].strip().split(" ")[0].split(":")[0]
            if dep.startswith("lib") and dep.endswith("-java"):
                todo.append(dep)
    jars: list[str] = []
    for name in sorted(seen):
        listing = subprocess.run(["dpkg", "-L", name], check=False, capture_output=True, text=True).stdout.splitlines()
        jars += [
            line
            for line in listing
            if line.startswith("/usr/share/java/") and line.endswith(".jar") and not _VERSIONED.search(line)
        ]
    return tuple(j for j in dict.fromkeys(jars) if not _BINDINGS.search(j))


def require(package: str) -> None:
    if shutil.which("java") is None or shutil.which("javac") is None:
        pytest.skip("needs a JDK (java and javac)")
    if not _installed(package):
        pytest.skip(f"needs Debian's {package} (scripts/setup --test installs it)")


def owlapi_classpath() -> str:
    require("libowlapi-java")
    return ":".join(_jars("libowlapi-java"))


def jena_classpath(scratch: Path) -> str:
    """The class path of Jena's command line tools (`shacl.shacl`), with the Xerces message files in place."""
    require("libapache-jena-java")
    jars = _jars("libapache-jena-java")
    core = next(j for j in jars if j.endswith("/jena-core.jar"))
    fix = scratch / "jena-xerces-messages"
    prefix = "org/apache/jena/ext/"
    with zipfile.ZipFile(core) as archive:
        for name in archive.namelist():
            if name.startswith(prefix + "xerces/") and name.endswith(".properties"):
                target = fix / name.removeprefix(prefix)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
    return ":".join([*jars, str(fix)])
