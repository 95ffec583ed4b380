"""The one owner of build state: everything a build reuses from the builds before it.

A build can reuse four things, and all of them live behind one `BuildState`:

- the ingest cache: each source file's named graph (`model.cached.Piece`) in `<out>/cache/pieces/`;
- the graph state of the current release: a hash per named graph and the lines of the large graphs, to
  update its store rather than load a new one (`publish.dumps.Previous`);
- its dump pieces: where each piece of each dump file sits, to copy those that did not change
  (`publish.pieces.Old`), and the description's counts per run;
- its validation state: which shapes and ontology it was validated with and how many results it had, to
  validate a rebuild only where a change can reach (`shacl.incremental`).

All of it is keyed by one fingerprint. Its first part, `key`, is what no piece of state may differ in: the
code (`core.version.code_version`, a hash of every file of the installed package), the settings that shape
the output (base IRI, the source size limit) and how dump pieces are cut and compressed
(`pieces.scheme`). State recorded under another key is never read: the previous release's state file is
refused whole, and every cache entry's own key starts from `key`, so a code change can never reuse stale
state. The rest of the fingerprint is a hash of each input file (data, ontology, alignment, shapes):
equal fingerprints mean nothing to rebuild (`is_current`); within one key, per-file hashes decide which
pieces are reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Mapping
from pathlib import Path

from rdflib import URIRef

from b40graph.core.settings import Settings
from b40graph.core.version import code_version
from b40graph.model.cached import Cache
from b40graph.publish import dumps
from b40graph.publish.dumps import Previous
from b40graph.publish.pieces import Old, RunStats, Written, scheme
from b40graph.publish.release import current
from b40graph.shacl.incremental import Before

STATE_FILE = ".state.pickle"  # in a release folder: what the next build may reuse, with its key


def state_key(settings: Settings) -> str:
    """What every piece of state is keyed on: the code, the settings that shape the output, the piece scheme."""
    # The dump stem names the files whose pieces a rebuild copies: another stem, no piece to copy.
    stem = settings.site.dump
    text = f"{code_version()}\n{settings.base}\n{settings.max_source_bytes}\n{scheme()}\n{stem}\n"
    return hashlib.sha256(text.encode()).hexdigest()


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def input_files(settings: Settings) -> list[Path]:
    files = [settings.ontology_file, settings.alignment_file, settings.shapes_file]
    files += sorted(settings.data_dir.rglob("*"))
    return [path for path in files if path.is_file()]


def fingerprint(settings: Settings) -> str:
    """The state key, the site configuration and every input file (data, ontology, alignment, shapes):
    equal, nothing to rebuild."""
    site = json.dumps(settings.site.to_json(), sort_keys=True)
    digest = hashlib.sha256(f"{state_key(settings)}\n{site}\n".encode())
    for path in input_files(settings):
        digest.update(_rel(path, settings.root).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def validation_inputs(shapes_file: Path, ontology_lines: list[str]) -> dict[str, object]:
    """What a validation depended on besides the code (the key): the shapes and the reasoning ontology."""
    return {
        "shapes": hashlib.sha256(shapes_file.read_bytes()).hexdigest(),
        "ontology": hashlib.sha256("\n".join(ontology_lines).encode()).hexdigest(),
    }


class BuildState:
    """The state a build starts from (`previous`, `pieces`) and leaves for the next one (`save`)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.key = state_key(settings)
        self.pieces = Cache(settings.out_dir / "cache" / "pieces" if settings.cache else None)
        self.validated: dict[str, object] = {}  # the validation state of the previous release
        self.previous = self._load()

    def _load(self) -> Previous | None:
        """The current release's graph state and dump pieces, or None (cache off, no release, no state
        file, another key: another code, base or piece scheme)."""
        if not self.settings.cache:
            return None
        release = current(self.settings.out_dir)
        if release is None or release.info.get("base") != self.settings.base:
            return None
        try:
            with (release.path / STATE_FILE).open("rb") as fh:
                state = pickle.load(fh)  # noqa: S301 - written by BuildState.save
            if state["key"] != self.key:
                return None
            previous = Previous(release.store, dict(state["digests"]), dict(state["lines"]))
            pieces = state["dumps"]
            previous.old = Old(
                release.path,
                dict(pieces["places"]),
                dict(pieces["sizes"]),
                dict(pieces["graph_runs"]),
                dict(pieces["run_stats"]),
            )
            self.validated = dict(state["validated"])
        except (OSError, pickle.PickleError, EOFError, AttributeError, KeyError, TypeError, ValueError):
            return None
        return previous if previous.store.is_dir() else None

    def validated_alike(self, inputs: dict[str, object]) -> bool:
        """True when the previous release was validated with these inputs (and this key) and found nothing."""
        return self.previous is not None and self.validated == {**inputs, "results": 0}

    def revalidation_base(self, inputs: dict[str, object]) -> Before | None:
        """What a rebuild's validation starts from (`shacl.incremental`), or None: validate the whole graph."""
        if self.previous is None or not self.validated_alike(inputs):
            return None
        return Before(self.previous.store, self.previous.digests, self.previous.lines)

    def save(
        self,
        release: Path,
        graphs: Mapping[URIRef, list[str]],
        digests: dict[str, str],
        written: Written,
        run_stats: dict[str, RunStats],
        validated: dict[str, object],
    ) -> None:
        """Write the state of the release being staged, under this state's key."""
        state = {
            "key": self.key,
            "digests": digests,
            "lines": {str(n): list(v) for n, v in graphs.items() if len(v) >= dumps.DIFF_FROM},
            "dumps": {
                "places": written.places,
                "sizes": written.sizes,
                "graph_runs": written.graph_runs,
                "run_stats": run_stats,
            },
            "validated": validated,
        }
        tmp = release / (STATE_FILE + ".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, release / STATE_FILE)


def is_current(settings: Settings) -> bool:
    release = current(settings.out_dir)
    return release is not None and release.info.get("inputs") == fingerprint(settings)
