"""Disposition codes → flags, as VICIdial's status flags (DESIGN.md)."""

from __future__ import annotations

FLAGS = (
    "human_answered",
    "decision_maker",
    "qualified",
    "sale",
    "success",
    "callback",
    "dnc",
    "not_interested",
)

_DM = ("human_answered", "decision_maker")

DEFAULT_MAP: dict[str, frozenset[str]] = {
    "SALE": frozenset(_DM + ("qualified", "sale", "success")),
    "APPOINTMENT": frozenset(_DM + ("qualified", "success")),
    "QUALIFIED": frozenset(_DM + ("qualified",)),
    "CALLBACK": frozenset(_DM + ("callback",)),
    "NI": frozenset(_DM + ("not_interested",)),
    "GATEKEEPER": frozenset(("human_answered",)),
    "WRONG_NUMBER": frozenset(("human_answered",)),
    "DNC": frozenset(("human_answered", "dnc")),
}


def codes_with(flag: str, mapping: dict[str, frozenset[str]]) -> list[str]:
    """Upper-cased codes that carry `flag`, sorted so generated SQL is stable."""
    if flag not in FLAGS:
        raise KeyError(flag)
    return sorted(code.upper() for code, flags in mapping.items() if flag in flags)
