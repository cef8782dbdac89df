"""Errors as the terminal says them: a request's parameters named as the options people
typed (``--by``, ``--period month``), the metric ids found with `telekpi metrics`."""

from __future__ import annotations

from telekpi.errors import TelekpiError, Wording

# Parameters that are not an option of the same name: the metric ids are arguments.
ARGUMENTS = {"metrics": "METRICS"}


class CliWording(Wording):
    """``--by``, ``--period month``: an option, then its value after a space."""

    catalog = "`telekpi metrics`"

    def param(self, field: str) -> str:
        return ARGUMENTS.get(field) or "--" + field.replace("_", "-")


CLI = CliWording()


def cli_message(e: TelekpiError) -> str:
    """``e`` as one sentence for the terminal."""
    return e.user_message(CLI)
