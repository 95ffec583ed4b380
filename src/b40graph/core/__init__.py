"""Foundations every stage shares: settings, errors, vocabularies, IRIs, media types, N-Triples text."""
