"""Ingest: read source files, validate them against their contracts, write snapshots."""
