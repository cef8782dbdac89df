"""Canonical tables and disposition flags: the shape every connector writes to."""
