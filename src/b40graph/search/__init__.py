"""Stage 8, search: the full-text index of a release, and reconciliation."""
