"""Settings: where the inputs are, where the output goes, the public base IRI and the serving limits.

Values come from arguments, then environment variables (B40_*), then these defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from .vocab import DEFAULT_BASE


def _env(name: str, default: str) -> str:
    return os.environ.get(f"B40_{name}", default)


@dataclass(frozen=True)
class Settings:
    root: Path = field(default_factory=lambda: Path(_env("ROOT", ".")).resolve())
    out: Path | None = field(
        default_factory=lambda: Path(os.environ["B40_OUT"]).resolve() if "B40_OUT" in os.environ else None
    )
    base: str = field(default_factory=lambda: _env("BASE", DEFAULT_BASE))
    # Serving limits (the public SPARQL endpoint).
    query_timeout: float = field(default_factory=lambda: float(_env("QUERY_TIMEOUT", "5")))
    result_cap: int = field(default_factory=lambda: int(_env("RESULT_CAP", "10000")))
    max_query_bytes: int = field(default_factory=lambda: int(_env("MAX_QUERY_BYTES", "65536")))
    query_workers: int = field(default_factory=lambda: int(_env("QUERY_WORKERS", "2")))
    doc_cache_bytes: int = field(default_factory=lambda: int(_env("DOC_CACHE_BYTES", str(64 * 1024 * 1024))))
    max_source_bytes: int = 5 * 1024 * 1024
    # Build: "fast" (compiled rules and shapes, cached per source) or "plain" (rdflib + owlrl + pyshacl).
    engine: str = field(default_factory=lambda: _env("ENGINE", "fast"))
    build_workers: int = field(default_factory=lambda: int(_env("BUILD_WORKERS", "2")))
    cache: bool = True  # keep per-source results in <out>/cache/ for the next build
    # A remote backend (serve --backend URL).
    max_response_bytes: int = field(default_factory=lambda: int(_env("MAX_RESPONSE_BYTES", str(64 * 1024 * 1024))))
    # "1": take the remote store's plain default graph to be a set without checking it (remote.py)
    remote_trust_default: bool = field(default_factory=lambda: _env("REMOTE_TRUST_DEFAULT", "") == "1")

    def __post_init__(self) -> None:
        if not self.base.endswith(("/", "#")):
            object.__setattr__(self, "base", self.base + "/")

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def declarations_dir(self) -> Path:
        return self.data_dir / "declarations"

    @property
    def ontology_file(self) -> Path:
        return self.root / "ontology" / "b40.ttl"

    @property
    def shapes_file(self) -> Path:
        return self.root / "shapes" / "b40.ttl"

    @property
    def out_dir(self) -> Path:
        return self.out if self.out is not None else self.root / "dist"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]
