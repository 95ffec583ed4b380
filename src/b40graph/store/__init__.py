"""Stage 7, store: the one storage seam (Backend), embedded and remote, and resource descriptions."""
