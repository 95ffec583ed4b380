"""b40graph: publish declarations of city networks as validated Linked Open Data."""

__version__ = "0.1.0"
