"""YAML that remembers lines: every mapping carries its 1-based line under ``__line__``
and the line of each of its keys under ``__key_lines__``.

The catalog loader and the import mapping both report errors with the file's
line, so both read YAML through here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import yaml

LINE = "__line__"
KEY_LINES = "__key_lines__"


@cache
def line_loader() -> type:
    """A safe loader that records each mapping's 1-based line under ``__line__`` (made on first
    use: a command that reads no YAML, such as ``kpi`` with its catalog cached, never imports
    PyYAML)."""
    import yaml

    class LineLoader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            mapping = super().construct_mapping(node, deep=deep)
            mapping[LINE] = node.start_mark.line + 1
            mapping[KEY_LINES] = {k.value: k.start_mark.line + 1 for k, _ in node.value
                                  if isinstance(k, yaml.ScalarNode)}
            return mapping

    return LineLoader


def load(text: str):
    """Parse YAML; raises ``yaml.YAMLError`` (with ``problem_mark``) on bad syntax."""
    import yaml

    return yaml.load(text, Loader=line_loader())  # a SafeLoader subclass: safe


def error_line(e: yaml.YAMLError) -> int | None:
    mark = getattr(e, "problem_mark", None)
    return mark.line + 1 if mark else None


def load_file(path, cannot_read: str, text: str | None = None):
    """Parse a YAML config file (or ``text`` standing for it); every way it can fail to read
    becomes one ConfigError naming the file (and line): unreadable, not UTF-8, not YAML.

    ``cannot_read`` is the translated sentence for an unreadable file, with ``{reason}``,
    e.g. ``_("cannot read the schedule ({reason})")``."""
    import yaml

    from telekpi.errors import ConfigError
    from telekpi.i18n import _

    try:
        return load(text if text is not None else Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(cannot_read.format(reason=e.strerror), file=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError(_("is not UTF-8 text"), file=str(path)) from None
    except yaml.YAMLError as e:
        raise ConfigError(_("not valid YAML: {problem}").format(problem=getattr(e, "problem", e)),
                          file=str(path), line=error_line(e)) from None
