"""Tools for a network's secretariat: drafting a declaration from a document, starting a project."""
