"""Atomic publication of a build's output.

Layout of the output folder (default dist/):

    dist/current -> releases/<version>     (a symlink, swapped atomically by rename)
    dist/releases/<version>/STEM.trig ...   (dumps, SHACL report, release.json, store/)

A build writes everything into a temporary folder first; only a complete, valid build is renamed into
releases/ and only then does `current` move. A build that fails or is killed leaves `current` as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

KEEP = 3


@dataclass(frozen=True)
class Release:
    path: Path

    @property
    def version(self) -> str:
        return self.path.name

    @property
    def store(self) -> Path:
        return self.path / "store"

    @property
    def info(self) -> dict[str, object]:
        return json.loads((self.path / "release.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]

    @property
    def modified(self) -> float:
        return (self.path / "release.json").stat().st_mtime


def current(out: Path) -> Release | None:
    link = out / "current"
    try:
        target = link.resolve(strict=True)
    except (FileNotFoundError, RuntimeError, OSError):
        return None
    if not (target / "release.json").is_file():
        return None
    return Release(target)


def staging(out: Path) -> Path:
    (out / "releases").mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".staging-{os.getpid()}-", dir=out / "releases"))
    folder.chmod(0o755)  # mkdtemp's 0700 would hide a release from a server running as another account
    return folder


def publish(out: Path, staged: Path, version: str) -> Release:
    releases = out / "releases"
    final = releases / version
    if final.exists():  # an identical build: keep the folder a running server may have open
        shutil.rmtree(staged)
    else:
        os.rename(staged, final)
    link = out / "current"
    tmp_link = out / f".current-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(Path("releases") / version, tmp_link)
    os.replace(tmp_link, link)
    _prune(releases, keep={version})
    return Release(final)


def _prune(releases: Path, keep: set[str]) -> None:
    for stale in releases.glob(".staging-*"):  # left by builds that were killed
        pid = stale.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    done = sorted(
        (p for p in releases.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in done[KEEP:]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
