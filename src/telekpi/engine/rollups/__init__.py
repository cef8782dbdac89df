"""Daily rollups: the materialised side of the engine, read by the planner when current.

``spec`` says what a rollup holds, ``state`` whether it is current, ``build`` builds it
(in the warehouse or a lake) and ``upkeep`` folds logged writes into it."""

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

__all__ = ["FIRST_CALLS_TABLE", "LAKE_DIR", "MERGE", "SOURCES", "SPECS", "Rollup", "Spec", "available",
           "column", "column_of", "from_manifest", "mergeable", "refresh", "rollup_lake", "status", "write_lake"]
