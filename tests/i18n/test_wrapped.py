"""No sentence reaches a user untranslated: every message given to one of telekpi's
errors, to a validation Issue, or echoed by the CLI goes through the catalog, and no
page or report template writes words of its own.

The check reads the sources (not the running program), so it also covers error paths
that no other test happens to walk. A line that must stay as it is (a product name, a
machine-readable token) says so with ``# i18n: keep`` and why.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

import telekpi
from telekpi import errors

SRC = Path(telekpi.__file__).parent
ERRORS = {name for name, obj in vars(errors).items()
          if isinstance(obj, type) and issubclass(obj, errors.TelekpiError)}
ERRORS |= {"AuthRequired", "BadParameter"}
ECHO = {"echo", "secho"}
WRAPPERS = {"_", "gettext", "ngettext", "translate", "N_"}
WORDS = re.compile(r"[A-Za-z]{2,}")
KEEP = "# i18n: keep"
# Tokens that read the same in every language: the product's name and its commands.
NAMES = re.compile(r"\btelekpi\b|--[a-z-]+|`[^`]*`|https?://\S+")


def _literal_words(node: ast.AST) -> bool:
    """Whether ``node`` builds text out of English words written in the code."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(WORDS.search(NAMES.sub("", node.value)))
    if isinstance(node, ast.JoinedStr):
        return any(_literal_words(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _literal_words(node.left) or _literal_words(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_words(node.body) or _literal_words(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr in ("join", "format") and not _wrapped(node.func.value):
        return _literal_words(node.func.value) and node.func.attr == "format"
    return False


def _wrapped(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) in WRAPPERS


def _name(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")


def _messages(call: ast.Call) -> list[ast.AST]:
    name = _name(call)
    if name == "Issue":
        args = call.args[3:4]
    elif name in ERRORS or name in ECHO:
        args = call.args[:1]
    else:
        return []
    return args + [k.value for k in call.keywords if k.arg in ("message", "detail")]


def untranslated() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Call):
                continue
            for arg in _messages(node):
                span = lines[node.lineno - 1:(node.end_lineno or node.lineno)]
                if _literal_words(arg) and not any(KEEP in s for s in span):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}: {ast.unparse(arg)[:80]}")
    return found


def test_every_message_to_a_user_goes_through_the_catalog():
    found = untranslated()
    assert not found, f"{len(found)} messages are not wrapped in _(): " + "\n".join(found[:40])


@pytest.mark.parametrize("source,flagged", [
    ('raise UsageError("no such team")', True),
    ('raise UsageError(f"no team {t!r}")', True),
    ('raise UsageError(_("no team {t}").format(t=t))', False),
    ('raise UsageError(message)', False),
    ('typer.echo(f"  {name:<13} {n:>12,}")', False),
    ('typer.echo("telekpi: " + e.user_message())', False),
    ('Issue("error", f, 3, "not a mapping")', True),
    ('Issue("error", f, 3, _("not a mapping"))', False),
    ('raise ConfigError("x" if a else "no mapping")', True),
])
def test_the_check_itself(source, flagged):
    call = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)
                and _messages(n))
    assert any(_literal_words(a) for a in _messages(call)) is flagged


TAG = re.compile(r"<(script|style)\b.*?</\1>|<!--.*?-->|<[^>]*>", re.S)
ATTRIBUTE = re.compile(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"')


def untranslated_in_templates() -> list[str]:
    """Words written straight into a page or report template, outside ``{{ _(…) }}``:
    the text between tags and the attributes people read (placeholder, title, alt)."""
    from jinja2 import Environment

    env = Environment(extensions=["jinja2.ext.i18n"])
    found = []
    for path in sorted(SRC.rglob("templates/*.html")):
        text = path.read_text(encoding="utf-8")
        data = "".join(tok[2] if tok[1] == "data" else "\x00" for tok in env.lex(text))
        chunks = TAG.sub("\x00", data).split("\x00") + ATTRIBUTE.findall(data)
        found += [f"{path.relative_to(SRC)}: {c.strip()[:60]!r}" for c in chunks
                  if WORDS.search(NAMES.sub("", c))]
    return found


def test_templates_write_no_words_of_their_own():
    found = untranslated_in_templates()
    assert not found, "words in templates not wrapped in {{ _() }}: " + "\n".join(found[:40])


def test_the_template_check_itself(tmp_path, monkeypatch):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.html").write_text(
        '<h1>{{ _("Overview") }} · telekpi</h1><script>var x = "words";</script>'
        '<input placeholder="Search leads"><p>Last {{ n }} days</p>', encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "SRC", tmp_path)
    found = [f.split(": ", 1)[1] for f in untranslated_in_templates()]
    assert found == ["'Last'", "'days'", "'Search leads'"]
