"""Placeholder: filled in by its owner."""

from telekpi.cli.app import app  # noqa: F401
