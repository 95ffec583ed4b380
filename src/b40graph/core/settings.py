"""Settings: where the inputs are, where the output goes, the public base IRI and the serving limits.

Values come from arguments, then environment variables (B40_*), then the project's b40graph.toml, then
these defaults. b40graph.toml also holds the site configuration (`Site`, core/site.py: title, description,
publisher, licence, languages, contact, dump), reachable as `settings.site`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from b40graph.core.errors import UsageError
from b40graph.core.site import KEYS, Site, check
from b40graph.core.vocab import DEFAULT_BASE

CONFIG_FILE = "b40graph.toml"
_CONFIG_KEYS = ("base", "name", "site")


def _env(name: str, default: str) -> str:
    return os.environ.get(f"B40_{name}", default)


@dataclass(frozen=True)
class Settings:
    root: Path = field(default_factory=lambda: Path(_env("ROOT", ".")).resolve())
    out: Path | None = field(
        default_factory=lambda: Path(os.environ["B40_OUT"]).resolve() if "B40_OUT" in os.environ else None
    )
    base: str = field(default_factory=lambda: _env("BASE", ""))  # "": from b40graph.toml, else DEFAULT_BASE
    name: str = ""  # the network's name; "": from b40graph.toml
    site: Site = field(default_factory=Site)  # Site(): from b40graph.toml (name and base aside)
    # Serving limits (the public SPARQL endpoint).
    query_timeout: float = field(default_factory=lambda: float(_env("QUERY_TIMEOUT", "5")))
    result_cap: int = field(default_factory=lambda: int(_env("RESULT_CAP", "10000")))
    max_query_bytes: int = field(default_factory=lambda: int(_env("MAX_QUERY_BYTES", "65536")))
    query_workers: int = field(default_factory=lambda: int(_env("QUERY_WORKERS", "3")))
    # Connections the server holds open at once (idle keep-alive and slow clients included; none of them
    # holds a worker thread until its request is complete).
    connection_limit: int = field(default_factory=lambda: int(_env("CONNECTION_LIMIT", "4000")))
    # Memory one public query may use (its worker process's RLIMIT_DATA); 0: no limit.
    query_memory_mb: int = field(default_factory=lambda: int(_env("QUERY_MEMORY_MB", "1024")))
    # Fair sharing of /sparql (web/admission.py): queries waiting for a worker, and in flight per client.
    query_queue: int = field(default_factory=lambda: int(_env("QUERY_QUEUE", "8")))
    queries_per_client: int = field(default_factory=lambda: int(_env("QUERIES_PER_CLIENT", "2")))
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

    @property
    def max_body_bytes(self) -> int:
        """Request bodies are refused over this, by their Content-Length, before a byte of them is read."""
        return max(self.max_query_bytes * 4, 1 << 20)

    # The fields above that were not given but read from b40graph.toml or defaulted (read again for a new root).
    configured: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        config: dict[str, object] | None = None
        resolved = list(self.configured)
        for key in _CONFIG_KEYS:
            if getattr(self, key) in ("", Site()):
                config = load_config(self.root) if config is None else config
                if key == "site":
                    site = {k: v for k, v in config.items() if k not in ("base", "name")}
                    object.__setattr__(self, key, Site(**site))  # type: ignore[arg-type]
                else:
                    object.__setattr__(self, key, config.get(key, DEFAULT_BASE if key == "base" else ""))
                resolved.append(key)
        if self.name and not self.site.name:
            object.__setattr__(self, "site", replace(self.site, name=self.name))
        object.__setattr__(self, "configured", tuple(dict.fromkeys(resolved)))
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
    def alignment_file(self) -> Path:
        """Other vocabularies' axioms restated for reasoning: read with the ontology, never published."""
        return self.root / "ontology" / "alignment.ttl"

    @property
    def shapes_file(self) -> Path:
        return self.root / "shapes" / "b40.ttl"

    @property
    def out_dir(self) -> Path:
        return self.out if self.out is not None else self.root / "dist"

    def with_(self, **changes: object) -> Settings:
        configured = tuple(k for k in self.configured if k not in changes)
        if "root" in changes:  # what came from the old root's b40graph.toml is read from the new one's
            changes.update({k: Site() if k == "site" else "" for k in configured})
            configured = ()
        return replace(self, configured=configured, **changes)  # type: ignore[arg-type]


def load_config(root: Path) -> dict[str, object]:
    """The project's b40graph.toml, checked key by key (an absent file is no configuration)."""
    path = root / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"{path}: cannot read the project configuration: {err}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"{path}: not valid TOML: {err}") from None
    config: dict[str, object] = {}
    for key, value in data.items():
        if key not in KEYS:
            raise UsageError(f"{path}: unknown setting '{key}' (known: {', '.join(KEYS)}); remove it or fix its name")
        checked = check(key, value)
        if checked is None:
            what, example = KEYS[key]
            raise UsageError(f"{path}: '{key}' must be {what}, e.g. {example}")
        config[key] = checked
    return config
