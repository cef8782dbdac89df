"""Mapping files: any export's columns, codes, time formats and constants → a canonical table.

A mapping is YAML (see docs/import.md)::

    table: calls
    skip_rows: 2                      # title lines above the header
    csv: {delimiter: ";", encoding: cp1258}
    columns:
      call_id: Mã cuộc gọi
      started_at: {column: Thời gian, format: "%d/%m/%Y %H:%M:%S"}
      talk_s: {column: Thời lượng (ms), unit: ms}
      status: {column: Kết quả, values: {Thành công: answered, Không nghe máy: no_answer}}
      direction: {constant: outbound}
      lead_id: {template: "{Chiến dịch}-{Số điện thoại}"}
      agent_id: {column: channel, pattern: "^SIP/([^-]+)-"}
      ring_s: {column: duration, minus: billsec}
    nulls: [NULL, "\\N"]                # texts that mean an empty cell, in every column
    skip:                             # rows left out, counted as skipped
      - {column: Kết quả, values: [PHANTOM]}

Canonical columns the mapping does not name are taken from a file column of
the same name (case, spaces and dashes ignored). Every error names the mapping
file and line.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from telekpi.errors import ConfigError
from telekpi.i18n import _
from telekpi.ingest.source import ReadOptions
from telekpi.model.tables import Table
from telekpi.quality.rules import UNITS, ColumnRule, RowFilter
from telekpi.yaml_lines import KEY_LINES, LINE, error_line, load

_TOP_KEYS = {"table", "timezone", "csv", "sheet", "skip_rows", "columns", "description", "nulls", "skip", "where",
             LINE, KEY_LINES}
_FILTER_KEYS = {"column", "values", "pattern", "empty", LINE, KEY_LINES}
_CSV_KEYS = {"delimiter", "encoding", "multiline", LINE, KEY_LINES}
_COLUMN_KEYS = {"todo", "column", "constant", "template", "format", "unit", "values", "otherwise",
                "default", "thousands", "decimal", "pattern", "minus", LINE, KEY_LINES}
# A source name every file has: the row's line number (row number in workbooks and Parquet).
LINE_SOURCE = "__line"


@dataclass(frozen=True)
class Mapping:
    file: str | None = None
    table: str | None = None
    timezone: str | None = None
    read: ReadOptions = field(default_factory=ReadOptions)
    rules: dict[str, ColumnRule] = field(default_factory=dict)
    nulls: tuple[str, ...] = ()         # texts read as an empty cell in every column
    skip: tuple[RowFilter, ...] = ()    # a row matching any of these is skipped
    where: tuple[RowFilter, ...] = ()   # a row failing any of these is skipped
    # columns `mapping suggest` could not decide: target → (what it could not decide, line)
    todos: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    def over(self, base: Mapping | None) -> Mapping:
        """This mapping on top of ``base`` (a format's built-in one): rules and settings given here win."""
        if base is None:
            return self
        read = ReadOptions(**{k: v if v not in (None, 0, False) else getattr(base.read, k)
                              for k, v in vars(self.read).items()})
        return Mapping(self.file or base.file, self.table or base.table, self.timezone or base.timezone,
                       read, {**base.rules, **self.rules}, self.nulls or base.nulls,
                       base.skip + self.skip, base.where + self.where, self.todos)


def normalize(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def load_mapping(path: Path) -> Mapping:
    src = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(_("no such mapping file"), file=src) from None
    except UnicodeDecodeError:
        raise ConfigError(_("is not UTF-8 text"), file=src) from None
    try:
        data = load(text)
    except yaml.YAMLError as e:
        raise ConfigError(_("is not valid YAML ({error})").format(error=getattr(e, "problem", e)), file=src,
                          line=error_line(e)) from None
    if not isinstance(data, dict):
        raise ConfigError(_("a mapping file must be a YAML mapping with a 'columns:' section"),
                          file=src, line=1)
    return parse_mapping(data, src)


def _fail(msg: str, src: str | None, node, key: str | None = None) -> ConfigError:
    """An error at ``key`` of the YAML mapping ``node`` (or at the mapping itself)."""
    line = None
    if isinstance(node, dict):
        line = (node.get(KEY_LINES) or {}).get(key) or node.get(LINE)
    return ConfigError(msg, file=src, line=line)


def parse_mapping(data: dict, src: str | None = None) -> Mapping:
    for key in data:
        if key not in _TOP_KEYS:
            raise _fail(_("unknown key {key}; expected one of: {keys}").format(
                key=repr(key), keys=", ".join(sorted(_TOP_KEYS - {LINE, KEY_LINES}))), src, data, key)
    read = ReadOptions()
    csv = data.get("csv") or {}
    if not isinstance(csv, dict):
        raise _fail(_("'csv' must be a mapping such as {example}").format(
            example="{delimiter: ';', encoding: cp1258}"), src, data)
    for key in csv:
        if key not in _CSV_KEYS:
            raise _fail(_("unknown csv key {key}; expected delimiter, encoding or multiline").format(key=repr(key)),
                        src, csv, key)
    skip = data.get("skip_rows", 0)
    if not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
        raise _fail(_("'skip_rows' must be a whole number ≥ 0"), src, data, "skip_rows")
    sheet = data.get("sheet")
    if sheet is not None and not isinstance(sheet, str | int):
        raise _fail(_("'sheet' must be a sheet name or a 1-based sheet number"), src, data, "sheet")
    read = replace(read, delimiter=csv.get("delimiter"), encoding=csv.get("encoding"),
                   multiline=None if "multiline" not in csv else bool(csv["multiline"]), skip_rows=skip, sheet=sheet)
    tz = data.get("timezone")
    if tz is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(str(tz))
        except (ZoneInfoNotFoundError, ValueError):
            raise _fail(_("timezone {timezone} is not an IANA name such as Asia/Bangkok").format(timezone=repr(tz)),
                        src, data, "timezone") from None
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        raise _fail(_("'columns' must map canonical column names to file columns"), src, data)
    rules, todos = {}, {}
    key_lines = columns.get(KEY_LINES) or {}
    for target, spec in columns.items():
        if target in (LINE, KEY_LINES):
            continue
        line = key_lines.get(target, columns.get(LINE))
        if isinstance(spec, dict) and "todo" in spec and not {"column", "constant", "template"} & set(spec):
            todos[str(target)] = (str(spec["todo"]), line)   # refused at import, with its sentence
            continue
        rules[target] = _rule(str(target), spec, src, line)
    nulls = data.get("nulls") or []
    if not isinstance(nulls, list):
        nulls = [nulls]
    # YAML reads a bare NULL (or null, ~) as its own null: the text NULL is meant
    nulls = ["NULL" if n is None else n for n in nulls]
    if not all(isinstance(n, str | int | float) and not isinstance(n, bool) for n in nulls):
        raise _fail(_("'nulls' must list the texts that mean an empty cell, like {example}").format(
            example='[NULL, "-"]'), src, data, "nulls")
    return Mapping(src, data.get("table"), tz, read, rules, tuple(str(n) for n in nulls),
                   _filters(data, "skip", src), _filters(data, "where", src), todos)


def _filters(data: dict, key: str, src: str | None) -> tuple[RowFilter, ...]:
    """The ``skip`` or ``where`` rules: one mapping or a list of them, each naming a file column."""
    given = data.get(key)
    if given is None:
        return ()
    items = [given] if isinstance(given, dict) else given
    example = "{column: Result, values: [PHANTOM]}"
    if not isinstance(items, list) or not items:
        raise _fail(_("{key} must be a list of rules such as {example}").format(key=repr(key), example=example),
                    src, data, key)
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise _fail(_("{key} must be a list of rules such as {example}").format(
                key=repr(key), example=example), src, data, key)
        for k in item:
            if k not in _FILTER_KEYS:
                raise _fail(_("unknown key {found} in a {key} rule; expected column, values, pattern or "
                              "empty").format(found=repr(k), key=repr(key)), src, item, k)
        column = item.get("column")
        tests = [k for k in ("values", "pattern", "empty") if k in item]
        if not isinstance(column, str | int) or isinstance(column, bool) or not tests:
            raise _fail(_("a {key} rule needs a column and at least one of values, pattern or empty, "
                          "like {example}").format(key=repr(key), example=example), src, item)
        values = item.get("values")
        if values is not None:
            values = values if isinstance(values, list) else [values]
            values = tuple("NULL" if v is None else str(v) for v in values)   # YAML's NULL: the text
        pattern = item.get("pattern")
        if pattern is not None:
            try:
                re.compile(str(pattern))
            except re.error as e:
                raise _fail(_("pattern of a {key} rule is not a valid regular expression ({error})").format(
                    key=repr(key), error=e), src, item, "pattern") from None
        empty = item.get("empty")
        if empty is not None and not isinstance(empty, bool):
            raise _fail(_("'empty' of a {key} rule must be true or false").format(key=repr(key)),
                        src, item, "empty")
        out.append(RowFilter(str(column), values, None if pattern is None else str(pattern), empty,
                             item.get(LINE)))
    return tuple(out)


def _rule(target: str, spec, src, key_line) -> ColumnRule:
    if isinstance(spec, str | int | float) and not isinstance(spec, bool):
        return ColumnRule(target, column=str(spec), line=key_line)
    if not isinstance(spec, dict):
        raise ConfigError(_("column {column} must name a file column or be a mapping "
                            "with column/constant/template").format(column=repr(target)), file=src, line=key_line)
    line = key_line
    for key in spec:
        if key not in _COLUMN_KEYS:
            raise _fail(_("unknown key {key} for column {column}; expected one of: {keys}").format(
                key=repr(key), column=repr(target), keys=", ".join(sorted(_COLUMN_KEYS - {LINE, KEY_LINES}))),
                src, spec, key)
    given = [k for k in ("column", "constant", "template") if k in spec]
    if len(given) != 1:
        raise ConfigError(_("column {column} needs exactly one of column, constant or template").format(
            column=repr(target)), file=src, line=line)
    unit = spec.get("unit")
    if unit is not None and unit not in UNITS:
        raise ConfigError(_("unit {unit} of column {column} must be one of: {units}").format(
            unit=repr(unit), column=repr(target), units=", ".join(UNITS)), file=src, line=line)
    values = spec.get("values") or {}
    if not isinstance(values, dict):
        raise ConfigError(_("'values' of column {column} must map file codes to canonical values").format(
            column=repr(target)), file=src, line=line)
    pattern = spec.get("pattern")
    if pattern is not None:
        try:
            compiled = re.compile(str(pattern))
        except re.error as e:
            raise ConfigError(_("pattern of column {column} is not a valid regular expression ({error})").format(
                column=repr(target), error=e), file=src, line=line) from None
        if compiled.groups > 1:
            raise ConfigError(_("pattern of column {column} may have at most one group in "
                                "parentheses: the part it captures is the value").format(column=repr(target)),
                              file=src, line=line)
    if spec.get("minus") is not None and "column" not in spec:
        raise ConfigError(_("'minus' of column {column} subtracts from a 'column'; name one").format(
            column=repr(target)), file=src, line=line)
    template = spec.get("template")
    if template is not None:
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(str(template)) if f is not None]
        except ValueError as e:
            raise ConfigError(_("template of column {column} is malformed ({error})").format(
                column=repr(target), error=e), file=src, line=line) from None
        if not fields or any(not f for f in fields):
            raise ConfigError(_("template of column {column} must name file columns in braces, "
                                "like {example}").format(column=repr(target), example="'{Campaign}-{Phone}'"),
                              file=src, line=line)

    def text(key):
        v = spec.get(key)
        return None if v is None else str(v)

    return ColumnRule(
        target, column=text("column"), constant=text("constant"), template=text("template"),
        format=text("format"), unit=unit,
        # YAML null (~) or an empty text: the code means an empty cell, stored as NULL
        values=tuple(("null" if k is None else str(k).strip().lower(),   # a bare NULL key: the text
                      None if v is None or str(v).strip() == "" else str(v))
                     for k, v in values.items() if k not in (LINE, KEY_LINES)),
        otherwise=text("otherwise"), default=text("default"), thousands=text("thousands"),
        decimal=text("decimal"), pattern=text("pattern"), minus=text("minus"), line=line)


def resolve_filters(mapping: Mapping, header: list[str], file: str,
                    header_line: int = 1) -> tuple[tuple[RowFilter, ...], tuple[RowFilter, ...]]:
    """The mapping's ``skip`` and ``where`` rules with the file's own spelling of their columns."""
    from telekpi.errors import InputError

    folded = {h.casefold(): h for h in header}

    def fix(f: RowFilter) -> RowFilter:
        real = f.column if f.column in header else folded.get(f.column.casefold())
        if real is None:
            raise InputError(_("has no column {column}, which a skip/where rule of the mapping {mapping} "
                               "(line {line}) tests; the file's columns are: {columns}").format(
                column=repr(f.column), mapping=mapping.file, line=f.line, columns=", ".join(header)),
                file=file, line=header_line or None, column=f.column)
        return replace(f, column=real)

    return tuple(fix(f) for f in mapping.skip), tuple(fix(f) for f in mapping.where)


def resolve(mapping: Mapping, table: Table, header: list[str], file: str,
            header_line: int = 1) -> dict[str, ColumnRule]:
    """The rule for each canonical column this file can fill; checks the rules against the header."""
    from telekpi.errors import InputError

    if mapping.table and mapping.table != table.name:
        raise ConfigError(_("this mapping is for table {mapped}, not {table}").format(
            mapped=repr(mapping.table), table=repr(table.name)), file=mapping.file, line=1)
    by_norm: dict[str, str] = {}
    for h in header:
        by_norm.setdefault(normalize(h), h)
    exact = set(header)
    folded = {h.casefold(): h for h in header}
    for target, (todo, line) in mapping.todos.items():
        raise ConfigError(_("{column} is still a TODO: {todo}; map it (docs/import.md) and delete the "
                            "todo").format(column=target, todo=todo), file=mapping.file, line=line)
    for target, rule in mapping.rules.items():
        if target not in table.names:
            raise ConfigError(_("{column} is not a column of table {table}; its columns are: {columns}").format(
                column=repr(target), table=table.name, columns=", ".join(table.names)),
                file=mapping.file, line=rule.line)
    rules: dict[str, ColumnRule] = {}
    for target, rule in mapping.rules.items():
        fixed = []
        for name in rule.sources():
            if name == LINE_SOURCE:
                fixed.append((name, name))
                continue
            real = name if name in exact else folded.get(name.casefold())
            if real is None:
                raise InputError(_("has no column {column}, which the mapping {mapping} (line {line}) reads "
                                   "for {target}; the file's columns are: {columns}").format(
                    column=repr(name), mapping=mapping.file, line=rule.line, target=target,
                    columns=", ".join(header)), file=file, line=header_line or None, column=name)
            fixed.append((name, real))
        if rule.column is not None:
            rule = replace(rule, column=fixed[0][1], minus=fixed[1][1] if rule.minus else None)
        elif rule.template is not None:
            t = rule.template
            for name, real in fixed:
                t = t.replace("{" + name + "}", "{" + real + "}")
            rule = replace(rule, template=t)
        rules[target] = rule
    for col in table.names:
        if col not in rules and col in by_norm:
            rules[col] = ColumnRule(col, column=by_norm[col])
    missing = [c for c in table.required if c not in rules and table.column(c).default is None]
    if missing:
        message = _("has no usable header for table {table}: required column(s) {missing} not found "
                    "among {columns}; name them in the header or map them with --mapping") if header else \
            _("has no usable header for table {table}: required column(s) {missing} not found "
              "among no columns; name them in the header or map them with --mapping")
        raise InputError(message.format(table=table.name, missing=", ".join(missing), columns=", ".join(header)),
                         file=file, line=header_line or None, column=missing[0])
    return rules
