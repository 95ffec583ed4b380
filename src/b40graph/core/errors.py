"""The exception hierarchy and the documented exit codes.

Every error that a user can cause names the file, the line where known, what is wrong and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

EXIT_OK = 0
EXIT_INVALID_DATA = 1
EXIT_USAGE = 2


@dataclass
class Problem:
    """One thing wrong with the input data."""

    message: str
    file: Path | None = None
    line: int | None = None
    fix: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = str(self.file) + (f":{self.line}" if self.line else "") + ": "
        text = f"{where}{self.message}"
        if self.fix:
            text += f"\n    fix: {self.fix}"
        return text


class B40Error(Exception):
    """Base class of every error b40graph raises on purpose. The command maps each to its exit code
    (`cli.EXITS`): `DataError` (and `DraftProblems`) 1, every other 2."""


class DataError(B40Error):
    """The input data is invalid: one or more problems, each with its place and fix."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class DraftProblems(DataError):
    """A drafted declaration (`b40graph add`) that will not build until its problems, listed in the review, are
    fixed."""


class UsageError(B40Error):
    """Bad command-line use, missing files, or a system problem."""


@dataclass
class Problems:
    """Collects problems so that one run reports all of them, not just the first."""

    items: list[Problem] = field(default_factory=list)

    def add(self, message: str, file: Path | None = None, line: int | None = None, fix: str | None = None) -> None:
        self.items.append(Problem(message, file, line, fix))

    def extend(self, error: DataError) -> None:
        self.items.extend(error.problems)

    def raise_if_any(self) -> None:
        if self.items:
            raise DataError(self.items)


class QueryError(B40Error):
    """A query the endpoint refuses or cannot answer; `status` is the HTTP status to send."""

    def __init__(self, message: str, status: int = 400, reason: str = "bad-query") -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
