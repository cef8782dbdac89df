"""YAML that remembers lines: every mapping carries its 1-based line under ``__line__``
and the line of each of its keys under ``__key_lines__``.

The catalog loader and the import mapping both report errors with the file's
line, so both read YAML through here.
"""

from __future__ import annotations

import yaml

LINE = "__line__"
KEY_LINES = "__key_lines__"


class LineLoader(yaml.SafeLoader):
    """A safe loader that records each mapping's 1-based line under ``__line__``."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        mapping[KEY_LINES] = {k.value: k.start_mark.line + 1 for k, _ in node.value
                              if isinstance(k, yaml.ScalarNode)}
        return mapping


def load(text: str):
    """Parse YAML; raises ``yaml.YAMLError`` (with ``problem_mark``) on bad syntax."""
    return yaml.load(text, Loader=LineLoader)  # noqa: S506 - a SafeLoader subclass


def error_line(e: yaml.YAMLError) -> int | None:
    mark = getattr(e, "problem_mark", None)
    return mark.line + 1 if mark else None
