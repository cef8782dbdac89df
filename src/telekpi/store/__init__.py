"""The DuckDB warehouse: canonical tables, quarantine, idempotent upserts."""
