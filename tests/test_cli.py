"""The command maps exceptions to the exit codes the README lists, with one table (`cli.EXITS`): each row is
tested through `main`, and the codes through the real command in a subprocess."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from b40graph import cli
from b40graph.core.errors import DataError, DraftProblems, Problem, QueryError, UsageError

from .conftest import ROOT

PROBLEM = Problem("no such municipality 'atlantis'", Path("data/declarations/x.md"), 12, "add it to municipalities.csv")
# (what the command raises, the exit code, what stderr must say)
CASES = [
    (DataError([PROBLEM]), 1, ["error: invalid data (1 problem); nothing was published:", "x.md:12: no such"]),
    (DraftProblems([PROBLEM, PROBLEM]), 1, ["error: the draft will not build until the 2 problems above are fixed"]),
    (DraftProblems([PROBLEM]), 1, ["error: the draft will not build until the 1 problem above is fixed"]),
    (UsageError("no build in dist: run `b40graph build`"), 2, ["error: no build in dist"]),
    (QueryError("the query does not parse", 400), 2, ["error: the query does not parse"]),
    (OSError(28, "No space left on device"), 2, ["error: [Errno 28] No space left on device"]),
    (KeyboardInterrupt(), 2, []),
]


def _command(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "b40graph.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=project,
    )


@pytest.mark.parametrize(
    ("error", "code", "said"), CASES, ids=lambda v: type(v).__name__ if not isinstance(v, int | list) else ""
)
def test_each_exception_gets_its_exit_code_and_message(monkeypatch, capsys, error, code, said):
    def command(_args):  # type: ignore[no-untyped-def]
        raise error

    monkeypatch.setattr(cli, "cmd_validate", command)
    assert cli.main(["validate"]) == code
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    for text in said:
        assert text in err, err
    if not said:
        assert err == ""


def test_an_unmapped_exception_is_a_bug_and_shows_its_traceback(monkeypatch):
    def command(_args):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "cmd_validate", command)
    with pytest.raises(RuntimeError):
        cli.main(["validate"])


def test_the_readme_lists_the_codes_of_the_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = re.search(r"Exit codes of every command.*?\n(?:  .*\n)*", readme)
    assert line, "the README's list of exit codes"
    listed = {int(n) for n in re.findall(r"(?:^|; |: )(\d) (?:ok|invalid data|usage)", line.group(0))}
    assert listed == {0, 1, 2} == {0} | {code for _, code, _ in cli.EXITS}


def test_the_command_exits_0_1_and_2(tmp_path, built):
    settings, _ = built
    ok = _command(tmp_path, "query", "--root", str(settings.root), "--out", str(settings.out_dir), "ASK { ?s ?p ?o }")
    assert ok.returncode == 0 and ok.stdout == "yes\n", ok.stderr
    nothing = _command(tmp_path, "query", "--root", str(settings.root), "--out", str(tmp_path / "none"), "ASK {}")
    assert nothing.returncode == 2 and "error: no build in" in nothing.stderr and "Traceback" not in nothing.stderr
    bad_argument = _command(tmp_path, "query", "--format", "xml", "ASK {}")
    assert bad_argument.returncode == 2 and "usage:" in bad_argument.stderr
    refused = _command(tmp_path, "query", "--root", str(settings.root), "--out", str(settings.out_dir), "ASK {")
    assert refused.returncode == 2 and "error: the query does not parse" in refused.stderr, refused.stderr
    broken = tmp_path / "broken"
    done = _command(tmp_path, "init", str(broken), "--name", "Test Cities", "--base", "https://example.org/t/")
    assert done.returncode == 0, done.stderr
    (broken / "data" / "declarations" / "notes.docx").write_bytes(b"not a declaration")
    invalid = _command(broken, "validate", "--root", str(broken))
    assert invalid.returncode == 1, invalid.stderr
    assert (
        "error: invalid data (1 problem); nothing was published:" in invalid.stderr and "notes.docx" in invalid.stderr
    )
