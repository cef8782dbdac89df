"""The display name of a dimension value: "Nguyễn Minh Sơn" for agent A010, "Hà Nội Sales"
for team T3, "Flash sale điện máy" for campaign K1. Defined here once and used by every
surface (pages, CLI tables, reports, alerts); machine-readable output keeps the ids and adds
the names beside them.

Names are read once per ``Names`` (one web request, one command, one report) and only for the
values a ``Scope`` may see: a supervisor learns no name outside their teams, an agent only their
own and their team's. A value with no name (outside the scope, or none recorded) is shown as
its id. Sites, vendors and products are their own names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telekpi.model.tables import NAMED
from telekpi.sql import identifier

if TYPE_CHECKING:
    from telekpi.engine.engine import Engine
    from telekpi.engine.lookup import Lookup, Scope


class Names:
    """Names of dimension values for one scope, each dimension read at most once."""

    def __init__(self, look: Lookup | None, scope: Scope | None = None):
        self.look, self.scope = look, scope   # None: everyone's
        self.engine: Engine | None = None
        self._tables: dict[str, dict[str, str]] = {}

    @classmethod
    def whole_centre(cls, engine: Engine) -> Names:
        """Every name, for a user who may see the whole centre (the CLI, a report). Read with
        a plain SELECT on the warehouse, so that a command running a kept plan
        (``kept_plans.py``) needs no SQL builder for its names either."""
        if engine.backend.dialect != "duckdb":
            from telekpi.engine.lookup import Lookup

            return cls(Lookup(engine))
        names = cls(None)
        names.engine = engine
        return names

    def table(self, dim: str) -> dict[str, str]:
        if dim not in NAMED or (self.look is None and self.engine is None):
            return {}
        if dim not in self._tables:
            if self.look is not None:
                from telekpi.engine.lookup import EVERYONE

                self._tables[dim] = self.look.names(dim, self.scope or EVERYONE)
            else:
                table, key = NAMED[dim]
                _cols, rows = self.engine.backend.execute(   # type: ignore[union-attr]
                    f"SELECT {identifier(key)}, name FROM {identifier(table)} WHERE name IS NOT NULL", {})
                self._tables[dim] = {str(k): str(n).strip() for k, n in rows
                                     if k is not None and str(n).strip()}
        return self._tables[dim]

    def of(self, dim: str, value) -> str:
        """The name of ``value`` of ``dim``, else the value itself ("" for None)."""
        if value is None:
            return ""
        return self.table(dim).get(str(value)) or str(value)

    def named(self, dim: str, value) -> bool:
        """Has ``value`` a name other than its id (so that the id is worth showing beside it)?"""
        return value is not None and self.of(dim, value) != str(value)

    def add_columns(self, rows: list[dict], dims) -> list[dict]:
        """``rows`` with a ``<dim>_name`` column after each named ``dim`` column (exports: the
        id stays, the name is added beside it)."""
        dims = [d for d in dims if d in NAMED]
        if not dims:
            return rows
        out = []
        for r in rows:
            row: dict = {}
            for k, v in r.items():
                row[k] = v
                if k in dims:
                    row[f"{k}_name"] = None if v is None else self.of(k, v)
            out.append(row)
        return out


NO_NAMES = Names(None)
