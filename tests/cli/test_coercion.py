"""The command line's values converted without pydantic (cli/coercion.py) come out as Typer's
own conversion gives them: the same value of the same type, or the same error."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
import typer
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param

from telekpi.cli.app import root_command
from telekpi.cli.coercion import PlainConversion, convert_without_pydantic


def parameters() -> list[tuple[str, Any, Any]]:
    """(command path and parameter name, parameter, its context) for every parameter of the
    whole command tree, the --help options included."""
    root = root_command()
    out = []

    def walk(cmd, ctx, path):
        help_option = cmd.get_help_option(ctx)
        for p in [*cmd.params, *([help_option] if help_option else [])]:
            out.append((f"{path} {p.name}", p, ctx))
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            walk(sub, typer.Context(sub, info_name=name, parent=ctx), f"{path} {name}")

    walk(root, typer.Context(root, info_name="telekpi"), "telekpi")
    return out


def samples(annotation: Any, tmp: Path) -> list[Any]:
    """Values the parser, an environment variable or a default may hand over, good and bad."""
    if get_origin(annotation) is list:
        leaf = samples(get_args(annotation)[0], tmp)
        return [(), [], tuple(leaf[:2]), list(leaf[:3]), "text"]
    common = [None, "", "text", " 12 ", "12", "1.5", "-3", "true", "no", True, False, 7, 2.5, b"bytes"]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        members = list(annotation)
        return common + members + [str(m.value) for m in members] + [str(m.value).upper() for m in members]
    if annotation is Path:
        (tmp / "file.csv").write_text("x")
        return common + [str(tmp), str(tmp / "file.csv"), str(tmp / "missing" / "x.csv"), "-", ".", "~",
                         "a/../b", tmp / "file.csv"]
    return common


def outcome(runtime, value, param, ctx) -> tuple[str, Any, Any]:
    try:
        got = runtime.coerce(value, param=param, ctx=ctx)
    except BadParameter as e:
        return ("error", e.format_message(), None)
    return ("value", got, [type(v) for v in got] if isinstance(got, list | tuple) else type(got))


def test_every_parameter_converts_as_typer_does(tmp_path):
    checked = 0
    for where, param, ctx in parameters():
        desc = param.type_descriptor
        ours = param._runtime_param
        if not isinstance(ours, PlainConversion):
            continue
        for value in samples(desc.annotation, tmp_path):
            theirs = build_runtime_param(desc)
            assert outcome(ours, value, param, ctx) == outcome(theirs, value, param, ctx), (where, value)
            checked += 1
    assert checked > 1000


def test_every_parameter_of_the_tree_is_given_the_conversion():
    """Each kind of parameter telekpi declares is one the conversion knows."""
    missing = [where for where, param, __ in parameters() if not isinstance(param._runtime_param, PlainConversion)]
    assert missing == [], ("Typer would import pydantic to convert these; teach cli/coercion.py "
                           "their kind (and the samples here)")


def test_a_command_tree_converted_twice_keeps_its_conversions():
    root = root_command()
    before = {id(p): p._runtime_param for p in root.params}
    convert_without_pydantic(root)
    assert {id(p): p._runtime_param for p in root.params} == before


@pytest.mark.parametrize("args, message", [
    (["kpi", "calls", "--format", "xml"], "'xml' is not one of 'table', 'json', 'csv'"),
    (["serve", "--port", "http"], "unable to parse string as an integer"),
])
def test_a_value_typer_must_convert_is_reported_as_before(args, message, tmp_path, capsys, monkeypatch):
    """A value the plain conversion does not take is Typer's to convert and to report."""
    from telekpi.cli.app import main

    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    assert message in capsys.readouterr().err
