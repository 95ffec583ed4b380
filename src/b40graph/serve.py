"""`b40graph serve`: build if the inputs changed, then serve with waitress (a production WSGI server)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from .errors import DataError, UsageError
from .settings import Settings
from .store import Backend, EmbeddedBackend, StoreUnavailable, load_dataset_file, restore_store


def open_backend(
    settings: Settings,
    dataset: str | None = None,
    remote: str | None = None,
    rebuild: bool = True,
    progress: Callable[[str], None] = lambda _: None,
) -> Backend:
    if remote:
        from .remote import BagDefaultGraph, RemoteBackend
        from .results import QueryError

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
    from .build import build, is_current
    from .release import current

    if rebuild and not is_current(settings):
        try:
            build(settings, progress)
        except DataError as err:
            if current(settings.out_dir) is None:
                raise
            progress(f"the new build failed; serving the last good release instead:\n{err}")
    try:
        return EmbeddedBackend(settings)
    except StoreUnavailable as err:
        release = current(settings.out_dir)
        if release is None:
            raise
        progress(f"{err}; restoring it from the release's N-Quads dump")
        restore_store(release)
        return EmbeddedBackend(settings)


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

    from .web.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    be = open_backend(settings, dataset, backend, rebuild, progress)
    try:
        app = create_app(settings, be)
        progress(f"serving on http://{host}:{port}/ (SPARQL at /sparql)")
        waitress.serve(app, host=host, port=port, threads=8, channel_timeout=30, ident="b40graph")
    except OSError as err:
        raise UsageError(f"cannot serve on {host}:{port}: {err}") from None
    finally:
        be.close()
    return 0
