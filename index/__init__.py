"""Ingestion and indexing: load, clean, metadata, chunk, embed, store."""
