"""Stage 1, sources: reading declaration files, their text, and the curated reference tables."""
