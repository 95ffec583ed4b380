"""Stage 5, publish: the dataset description, the dump files and the atomic release folder."""
