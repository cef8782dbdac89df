"""Typer's conversion of the command line's values, for the kinds of parameter telekpi has,
without pydantic.

Typer 0.29 converts every parameter's value through a pydantic ``TypeAdapter`` that it builds
on first use, even a ``--by team`` that is text already and a ``--db`` path: importing pydantic
and building the adapters took about 70 ms of every command (a sixth of `telekpi kpi`), and of
each command's own ``--help``, which converts the global options first.

``convert_without_pydantic`` gives each parameter of the command tree a conversion that
returns what those adapters return for the values the command line and the defaults hand
over — text, one of an Enum's values, a path, a flag or number that is one already, a list of
these —
and hands anything else (a number written as text, a value that is none of the choices, a
parameter of another kind) to Typer's own conversion, which converts it or words the error
as before. ``tests/cli/test_coercion.py`` holds both to the same results for every
parameter. With a Typer that converts differently (older ones use Click's types, without
pydantic) the parameters are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

try:
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_path
except ImportError:   # another Typer: its own conversion stays
    RuntimeParam = None   # type: ignore[assignment,misc]

# What a leaf conversion returns when Typer's own must convert the value.
TYPER = object()


def convert_leaf(annotation: Any, info: Any, value: Any, param: Any, ctx: Any) -> Any:
    """``value`` as Typer's adapter for ``annotation`` returns it, or ``TYPER``."""
    if info.parser is not None:
        return TYPER
    if annotation is str:
        return value if type(value) is str else TYPER
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        if isinstance(value, annotation):
            return value
        if (type(value) is str and info.case_sensitive
                and (ctx is None or ctx.token_normalize_func is None)):
            # the first choice whose value, as text, is the text given (typer's coerce_cli_choice)
            return next((m for m in annotation if str(m.value) == value), TYPER)
        return TYPER
    if annotation is bool:
        return value if type(value) is bool else TYPER
    if annotation in (int, float):
        plain = info.min is None and info.max is None and not info.clamp
        return value if plain and type(value) is annotation else TYPER
    if annotation is Path and info.path_type is None:
        if type(value) is str and value:
            # pydantic reads text as Path(text); the checks after it are Typer's own
            return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
        return TYPER
    return TYPER


def convert(annotation: Any, info: Any, value: Any, param: Any, ctx: Any) -> Any:
    """A leaf, or a list of leaves (each converted, as a list), or ``TYPER``."""
    if get_origin(annotation) is list:
        if not isinstance(value, list | tuple):
            return TYPER
        (item,) = get_args(annotation)
        out = [convert_leaf(item, info, v, param, ctx) for v in value]
        return TYPER if any(v is TYPER for v in out) else out
    return convert_leaf(annotation, info, value, param, ctx)


def handled(annotation: Any) -> bool:
    """Whether ``convert`` may convert some values of ``annotation`` itself."""
    if get_origin(annotation) is list:
        args = get_args(annotation)
        return len(args) == 1 and handled(args[0])
    return annotation in (str, bool, int, float, Path) or (
        isinstance(annotation, type) and issubclass(annotation, Enum))


if RuntimeParam is not None:
    @dataclass(frozen=True)
    class PlainConversion(RuntimeParam):
        """One parameter's conversion: ``convert``, else Typer's own (built when first needed)."""

        typer_own: list = field(default_factory=list, compare=False)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            out = convert(self.annotation, self.parameter_info, value, param, ctx)
            if out is not TYPER:
                return out
            if not self.typer_own:
                self.typer_own.append(build_runtime_param(param.type_descriptor))
            return self.typer_own[0]._coerce_value(value, param=param, ctx=ctx)


def convert_without_pydantic(command: Any, ctx: Any = None) -> None:
    """Give every parameter of ``command`` and its subcommands ``PlainConversion``, their
    ``--help`` too (an option Click makes for the first context that asks, and keeps)."""
    if RuntimeParam is None:
        return
    from typer import Context

    ctx = Context(command, info_name=command.name, parent=ctx, **command.context_settings)
    help_option = command.get_help_option(ctx)
    for param in [*command.params, *([help_option] if help_option is not None else [])]:
        desc = getattr(param, "type_descriptor", None)
        if (desc is not None and getattr(param, "_runtime_param", False) is None
                and desc.file_annotation is None and handled(desc.annotation)):
            try:
                param._runtime_param = PlainConversion(parameter_info=desc.parameter_info,
                                                       annotation=desc.annotation)
            except TypeError:   # a Typer whose conversions hold other fields: its own stay
                return
    for sub in (getattr(command, "commands", None) or {}).values():
        convert_without_pydantic(sub, ctx)
