"""docs/secretariat.md's examples, run in order: each `<!-- file: PATH -->` block is written to PATH, each
`$ command` in a ```console block is run with bash and must print the lines shown under it (in order; `...`
matches anything) and fail exactly when they show an `error:` line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

GUIDE = ROOT / "docs" / "secretariat.md"
_FENCE = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```", re.DOTALL)


def steps(text: str) -> list[tuple[str, str, list[str]]]:
    """('file', path, lines) and ('run', command, expected lines), in the order of the guide."""
    out: list[tuple[str, str, list[str]]] = []
    for fence in _FENCE.finditer(text):
        body = fence["body"]
        if fence["file"]:
            out.append(("file", fence["file"], body.splitlines()))
        elif fence["lang"] == "console":
            for chunk in re.split(r"^\$ ", body, flags=re.MULTILINE)[1:]:
                command, *expected = chunk.rstrip("\n").split("\n")
                out.append(("run", command, expected))
    return out


def _pattern(line: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(part) for part in line.split("...")) + "$")


def shows(expected: list[str], actual: list[str]) -> bool:
    """Every expected line matches an actual line, in order."""
    at = 0
    for line in expected:
        if line.strip() == "...":
            continue
        pattern = _pattern(line)
        while at < len(actual) and not pattern.match(actual[at]):
            at += 1
        if at == len(actual):
            return False
        at += 1
    return True


def test_the_guide_has_examples():
    kinds = [kind for kind, *_ in steps(GUIDE.read_text(encoding="utf-8"))]
    assert kinds.count("run") >= 6 and kinds.count("file") >= 4


def test_the_guides_examples_run_as_shown(tmp_path):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for name in ("B40_ROOT", "B40_BASE", "B40_OUT"):
        env.pop(name, None)
    cwd = tmp_path / "work"
    cwd.mkdir()
    for kind, what, lines in steps(GUIDE.read_text(encoding="utf-8")):
        if kind == "file":
            target = (cwd / what).resolve()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(lines) + "\n", encoding="utf-8")
            continue
        if what.startswith("cd "):
            cwd = (cwd / what[3:]).resolve()
            continue
        run = subprocess.run(
            ["bash", "-c", what], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        printed = (run.stdout + run.stderr).splitlines()
        assert shows(lines, printed), f"$ {what}\nexpected:\n" + "\n".join(lines) + "\ngot:\n" + "\n".join(printed)
        fails = any(line.startswith("error:") for line in lines)
        assert (run.returncode != 0) == fails, f"$ {what} exited with {run.returncode}\n" + "\n".join(printed)


def test_shows_matches_in_order():
    assert shows(["a ... c", "d"], ["x", "a b c", "d"])
    assert not shows(["d", "a ... c"], ["a b c", "d"])
    assert not shows(["missing"], ["a"])
