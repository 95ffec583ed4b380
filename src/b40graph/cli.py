"""The `b40graph` command: argument parsing, and exceptions mapped to exit codes (`EXITS`); the work is done
by the library.

Exit codes: 0 ok, 1 invalid data (nothing published; `add`: the draft will not build), 2 usage or system error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from b40graph.core.errors import EXIT_INVALID_DATA, EXIT_OK, EXIT_USAGE, B40Error, DataError, DraftProblems
from b40graph.core.settings import Settings
from b40graph.core.version import __version__


def _progress(enabled: bool):  # type: ignore[no-untyped-def]
    def report(stage: str) -> None:
        if enabled:
            print(f"… {stage}", file=sys.stderr, flush=True)

    return report


def _settings(args: argparse.Namespace) -> Settings:
    changes: dict[str, object] = {}
    if getattr(args, "root", None):
        changes["root"] = Path(args.root).resolve()
    if getattr(args, "out", None):
        changes["out"] = Path(args.out).resolve()
    if getattr(args, "base", None):
        changes["base"] = args.base
    for name in ("query_timeout", "result_cap", "query_workers"):
        if getattr(args, name, None) is not None:
            changes[name] = getattr(args, name)
    return Settings().with_(**changes)


def cmd_build(args: argparse.Namespace) -> int:
    from b40graph.pipeline import build

    release = build(_settings(args), _progress(args.progress))
    info = release.info
    print(f"built {release.path} (version {release.version}, {info['quads']} quads)")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from b40graph.pipeline import compile_dataset

    compiled = compile_dataset(_settings(args), _progress(args.progress))
    if not compiled.conforms:
        raise DataError(compiled.problems)
    total = sum(len(g) for g in compiled.graphs.values())
    print(
        f"valid: {len(compiled.assembly.parsed)} declarations, {total} triples in {len(compiled.graphs)} graphs conform"
    )
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    from b40graph.store.local import run_query

    text = sys.stdin.read() if args.query == "-" else args.query
    sys.stdout.write(run_query(_settings(args), text, args.format))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from b40graph.server import serve

    return serve(
        _settings(args),
        host=args.host,
        port=args.port,
        dataset=args.dataset,
        backend=args.backend,
        rebuild=not args.no_build,
        progress=_progress(True),
    )


def cmd_publish(args: argparse.Namespace) -> int:
    from b40graph.pipeline import build, is_current
    from b40graph.store.remote_publish import publish_to

    settings = _settings(args)
    if not args.no_build and not is_current(settings):
        build(settings, _progress(args.progress))
    count = publish_to(
        settings,
        args.to,
        replace=not args.keep,
        progress=_progress(args.progress),
        update=args.update,
        query=args.query,
        chunk=args.chunk,
        warn=lambda message: print(f"warning: {message}", file=sys.stderr, flush=True),
        whole=args.whole,
    )
    print(f"published {count} quads to {args.to}")
    return EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    from b40graph.author.draft import draft_declaration, review_text, write

    draft = draft_declaration(Path(args.file), _settings(args))
    if not args.dry_run:
        write(draft)
    sys.stdout.write(review_text(draft))
    if draft.problems:
        raise DraftProblems(draft.problems)
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from b40graph.author.project import init_project

    folder = init_project(Path(args.dir), args.name, args.base, slug=args.slug)
    print(f"created {folder}: run `b40graph build --root {args.dir}` (see {args.dir}/README.md)")
    return EXIT_OK


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", help="project folder holding data/, ontology/, shapes/ (default: .)")
    p.add_argument("--out", help="output folder (default: ROOT/dist)")
    p.add_argument("--base", help="base IRI for minted IRIs (default: `base` in b40graph.toml; serve: the release's)")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=sys.stderr.isatty(),
        help="show progress on stderr (default: on a terminal)",
    )


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="b40graph", description="Publish city-network declarations as Linked Open Data.")
    top.add_argument("--version", action="version", version=f"b40graph {__version__}")
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="validate the sources and write the dataset to the output folder")
    _common(p)
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("validate", help="run every check; write nothing")
    _common(p)
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("query", help="answer a SPARQL query from the built dataset")
    _common(p)
    p.add_argument("query", help="the SPARQL query, or - to read it from standard input")
    p.add_argument("--format", choices=("table", "json", "csv", "tsv", "turtle"), default="table")
    p.set_defaults(func=cmd_query)
    _serve_parser(sub.add_parser("serve", help="build if needed and serve the dataset over HTTP"))
    _publish_parser(
        sub.add_parser("publish", help="load the built dataset into a SPARQL 1.1 Graph Store / Update server")
    )
    p = sub.add_parser("add", help="draft data/declarations/DATE-SLUG.md from a PDF, Word, Markdown or text file")
    p.add_argument("file", help="the declaration as .pdf, .docx, .md or .txt")
    p.add_argument("--root", help="project folder holding data/ (default: .)")
    p.add_argument("--dry-run", action="store_true", help="print the review; write nothing")
    p.set_defaults(func=cmd_add)
    p = sub.add_parser("init", help="create a working project for a new network")
    p.add_argument("dir", help="the new project folder (must not exist or be empty)")
    p.add_argument("--name", required=True, help='the network\'s name, e.g. "Danube Cities Network"')
    p.add_argument("--base", required=True, help="the public base IRI, e.g. https://example.org/danube/")
    p.add_argument("--slug", help="the network's IRI segment (default: from the name)")
    p.set_defaults(func=cmd_init)
    return top


def _serve_parser(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--dataset", help="serve this RDF file (TriG, N-Quads, Turtle, ...) instead of the build")
    p.add_argument(
        "--backend",
        help="read from this SPARQL query URL (e.g. http://127.0.0.1:7878/query) instead of the embedded store",
    )
    p.add_argument("--no-build", action="store_true", help="serve the last build without rebuilding")
    p.add_argument("--query-timeout", dest="query_timeout", type=float, help="seconds (default 5)")
    p.add_argument("--result-cap", dest="result_cap", type=int, help="rows or triples (default 10000)")
    p.add_argument("--query-workers", dest="query_workers", type=int, help="worker processes (default 3)")
    p.set_defaults(func=cmd_serve)


def _publish_parser(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument(
        "--to",
        required=True,
        help="the Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store (Oxigraph) or "
        "http://127.0.0.1:3030/ds/data (Fuseki)",
    )
    p.add_argument(
        "--update",
        help="the store's SPARQL 1.1 Update URL (default: derived from --to, /store or /data → /update); "
        "the new release is staged and switched in one update, atomically",
    )
    p.add_argument("--query", help="the store's SPARQL query URL (default: derived from --to, → /query)")
    p.add_argument(
        "--chunk", type=int, default=50_000, help="at most this many triples per upload request (default 50000)"
    )
    p.add_argument(
        "--keep", action="store_true", help="merge into the target graphs instead of replacing them (not atomic)"
    )
    p.add_argument(
        "--whole",
        action="store_true",
        help="send and switch every graph, even when the store holds an earlier release (default: by difference)",
    )
    p.add_argument("--no-build", action="store_true", help="publish the last build without rebuilding")
    p.set_defaults(func=cmd_publish)


def _problems(err: DataError) -> str:
    return f"{len(err.problems)} problem{'s' if len(err.problems) != 1 else ''}"


def _are(err: DataError) -> str:
    return "is" if len(err.problems) == 1 else "are"


def _invalid_data(err: DataError) -> str:
    lines = [f"error: invalid data ({_problems(err)}); nothing was published:"]
    return "\n".join(lines + [f"  {problem}" for problem in err.problems])


#: What an exception means to the command: its exit code and the message on stderr (None: nothing). The first
#: class that matches wins; the codes are those the README lists.
EXITS: tuple[tuple[type[BaseException], int, Callable[[Any], str | None]], ...] = (
    (
        DraftProblems,
        EXIT_INVALID_DATA,
        lambda e: f"error: the draft will not build until the {_problems(e)} above {_are(e)} fixed",
    ),
    (DataError, EXIT_INVALID_DATA, _invalid_data),
    (B40Error, EXIT_USAGE, lambda err: f"error: {err}"),  # UsageError, QueryError (a refused query), ...
    (OSError, EXIT_USAGE, lambda err: f"error: {err}"),
    (KeyboardInterrupt, EXIT_USAGE, lambda _: None),
)


_MAPPED = tuple(cls for cls, _, _ in EXITS)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)  # bad arguments: argparse prints the usage and exits 2
    try:
        return int(args.func(args))
    except _MAPPED as err:  # anything else is a bug: its traceback is shown
        code, message = next((code, say(err)) for cls, code, say in EXITS if isinstance(err, cls))
        if message:
            print(message, file=sys.stderr)
        return code


if __name__ == "__main__":
    raise SystemExit(main())
