"""The code version: a hash of every file of the installed package, the key of every cache."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

__version__ = "0.1.0"

#: The installed package: every file in it (modules, templates) is part of the code version.
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def code_version() -> str:
    """A hash of the version and of every file of the installed package (sources and templates, not compiled
    byte code). Every cache is keyed on it: the build fingerprint, the ingest cache and the revalidation
    state, so changing one byte of code makes the next build start afresh. Computed once per process."""
    return _tree_hash(str(PACKAGE_DIR))


@functools.lru_cache(maxsize=8)
def _tree_hash(folder: str) -> str:
    root = Path(folder)
    digest = hashlib.sha256(f"{__version__}\0".encode())
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if "__pycache__" in rel.parts or path.suffix in (".pyc", ".pyo") or not path.is_file():
            continue
        digest.update(rel.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
