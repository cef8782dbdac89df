"""Connectors: one module per source format, each yielding raw Arrow batches with line numbers."""
