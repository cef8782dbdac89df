"""The manager's report: built once from the engine (``build``), written as HTML, XLSX or PDF."""
