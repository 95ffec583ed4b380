"""`b40graph serve`: build if the inputs changed, then serve with waitress (a production WSGI server)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from b40graph.core.errors import DataError, UsageError
from b40graph.core.settings import Settings, load_config
from b40graph.publish.description import release_site
from b40graph.publish.release import current
from b40graph.store.backend import Backend
from b40graph.store.embedded import EmbeddedBackend, StoreUnavailable, load_dataset_file, restore_store


def open_backend(
    settings: Settings,
    dataset: str | None = None,
    remote: str | None = None,
    rebuild: bool = True,
    progress: Callable[[str], None] = lambda _: None,
) -> Backend:
    if remote:
        from b40graph.sparql.results import QueryError
        from b40graph.store.remote import BagDefaultGraph, RemoteBackend

        backend = RemoteBackend(remote, settings)
        try:
            backend.check_default()  # a store whose default graph is a bag is refused at start-up
        except BagDefaultGraph as err:
            backend.close()
            raise UsageError(str(err)) from None
        except QueryError:
            pass  # down or slow now: every request says so until it is back
        return backend
    if dataset:
        folder, tag, merged = load_dataset_file(Path(dataset))
        return EmbeddedBackend(settings, store_path=folder, tag=tag, merged=merged)
    from b40graph.pipeline import build, is_current
    from b40graph.publish.release import current

    if rebuild and not is_current(settings):
        try:
            build(settings, progress)
        except DataError as err:
            if current(settings.out_dir) is None:
                raise
            progress(f"the new build failed; serving the last good release instead:\n{err}")
        except OSError as err:  # a read-only or full output folder: the release already there still serves
            if current(settings.out_dir) is None:
                raise UsageError(f"cannot build into {settings.out_dir}: {err}") from None
            progress(f"could not rebuild into {settings.out_dir} ({err}); serving the last good release instead")
    try:
        return EmbeddedBackend(settings)
    except StoreUnavailable as err:
        release = current(settings.out_dir)
        if release is None:
            raise
        progress(f"{err}; restoring it from the release's N-Quads dump")
        restore_store(release)
        return EmbeddedBackend(settings)


def release_base(settings: Settings, rebuild: bool) -> Settings:
    """With no --base (or B40_BASE) given, the base of the release being served, as its release.json records
    it; unless the project's b40graph.toml names a base and a rebuild may bring the release to it."""
    release = current(settings.out_dir)
    base = release.info.get("base") if release is not None else None
    if "base" not in settings.configured or not isinstance(base, str) or base == settings.base:
        return settings
    if rebuild and "base" in load_config(settings.root):
        return settings
    return settings.with_(base=base)


def with_release_site(settings: Settings) -> Settings:
    """The site configuration the served release recorded at build time (completed from its data), so a
    release served from anywhere (a wheel install serving a dist folder) shows its own title, licence, ..."""
    release = current(settings.out_dir)
    if release is None or "site" not in release.info or release.info.get("base") != settings.base:
        return settings
    return settings.with_(site=release_site(release.info))


def server_options(settings: Settings) -> dict[str, object]:
    """waitress's settings for a public server. Waitress reads each request whole on its event loop before a
    worker thread sees it, so slow or idle clients cost a socket, not a thread: the connection limit can be
    high once the loop polls (select() stops at 1024 descriptors) and the process may open that many files."""
    _raise_file_limit(settings.connection_limit + 256)
    return {
        "threads": settings.query_workers + settings.query_queue + 8,  # SPARQL can never take them all
        "connection_limit": settings.connection_limit,
        "asyncore_use_poll": True,
        "channel_timeout": 30,  # an idle connection is closed after this many seconds without a byte
        "max_request_body_size": settings.max_body_bytes,  # refused by Content-Length (413), nothing spooled
        "ident": "b40graph",
    }


def _raise_file_limit(wanted: int) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def serve(
    settings: Settings,
    host: str,
    port: int,
    dataset: str | None,
    backend: str | None,
    rebuild: bool,
    progress: Callable[[str], None],
) -> int:
    import waitress

    from b40graph.web.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not dataset and not backend:  # serving a release: its base and site, unless given
        settings = release_base(settings, rebuild)
    be = open_backend(settings, dataset, backend, rebuild, progress)
    if not dataset and not backend:
        settings = with_release_site(settings)
    try:
        app = create_app(settings, be)
        progress(f"serving on http://{host}:{port}/ (SPARQL at /sparql)")
        waitress.serve(app, host=host, port=port, **server_options(settings))
    except OSError as err:
        raise UsageError(f"cannot serve on {host}:{port}: {err}") from None
    finally:
        be.close()
    return 0
