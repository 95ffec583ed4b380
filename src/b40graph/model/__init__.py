"""Stage 2, model: source files assembled into named graphs of the b40 model (one per source)."""
