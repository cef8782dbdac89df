"""Workforce management: queueing models (``erlang``), staffing searches (``staffing``), a
queue simulation (``simulate``), arrival forecasts (``forecast``) and the interval history
they are read from (``history``). Sits at the analysis level: below the workspace and the
front ends, above the engine."""
