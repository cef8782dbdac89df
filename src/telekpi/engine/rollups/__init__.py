"""Daily rollups: the materialised side of the engine, read by the planner when current.

``spec`` says what a rollup holds, ``state`` whether it is current, ``build`` builds it
(in the warehouse or a lake) and ``upkeep`` folds logged writes into it.

Each name is imported from its module when first asked for: whether a rollup is current
needs no sqlglot and building one does, so `telekpi kpi` with a plan kept from before
(``engine/kept_plans.py``) loads only the first."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telekpi.engine.rollups.build import LAKE_DIR, refresh, rollup_lake, write_lake
    from telekpi.engine.rollups.spec import (
        FIRST_CALLS_TABLE,
        MERGE,
        SPECS,
        Rollup,
        Spec,
        column,
        column_of,
        mergeable,
    )
    from telekpi.engine.rollups.state import SOURCES, available, from_manifest, status

_MODULE = {"LAKE_DIR": "build", "refresh": "build", "rollup_lake": "build", "write_lake": "build",
           "FIRST_CALLS_TABLE": "spec", "MERGE": "spec", "SPECS": "spec", "Rollup": "spec",
           "Spec": "spec", "column": "spec", "column_of": "spec", "mergeable": "spec",
           "SOURCES": "state", "available": "state", "from_manifest": "state", "status": "state"}

__all__ = ["FIRST_CALLS_TABLE", "LAKE_DIR", "MERGE", "SOURCES", "SPECS", "Rollup", "Spec", "available",
           "column", "column_of", "from_manifest", "mergeable", "refresh", "rollup_lake", "status", "write_lake"]


def __getattr__(name: str) -> Any:
    if name not in _MODULE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULE[name]}"), name)
