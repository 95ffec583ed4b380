"""Stage 4, validate: SHACL shapes (pyshacl as the reference; a compiled engine; revalidation)."""
