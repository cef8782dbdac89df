"""One exception root; messages for people are made at the edges (CLI, HTTP).

    TelekpiError                 anything telekpi raises on purpose (exit 1, HTTP 500)
    ├── UsageError               bad options or arguments (exit 2, HTTP 400); may carry
    │   │                        the parameter, its value and the allowed values
    │   └── QueryError           a KPI request the catalog cannot answer
    ├── InputError               a file that cannot be read as asked (exit 2, HTTP 400);
    │   │                        carries file, line and column
    │   └── ConfigError          telekpi.toml or a mapping file is wrong
    ├── AuthRequired             no valid session or token (HTTP 401)
    ├── AccessError              the user may not see or do this (HTTP 403)
    ├── NotFoundError            no such lead, agent, page (HTTP 404)
    ├── TooManySignIns           a name or address locked after failed sign-ins (HTTP 429)
    ├── CatalogError             metric YAML failed validation; carries issues (exit 2)
    ├── MissingDependencyError   an optional extra is not installed
    └── ReportError              a report could not be written or delivered

Each class says its CLI ``exit_code`` and its ``http_status``. A usage error raised as
structure names the request parameter it is about by a neutral name (``by``,
``period``, ``from``) and leaves the words to the front end: a ``Wording`` says
``--by`` on the CLI and ``by=`` in the API; with none (logs, reports) it says ``by``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from telekpi.i18n import N_, PLACEHOLDER, _, ngettext, translate

# The one sentence for a value outside a list of choices (a period, an engine).
NOT_ONE_OF = N_("{given} is not one of: {allowed}")


class TelekpiError(Exception):
    exit_code = 1
    http_status = 500

    def user_message(self, wording: Wording | None = None) -> str:
        """One sentence for people; ``wording`` names request parameters as a front end does."""
        return str(self)


class UsageError(TelekpiError):
    """Bad options or arguments.

    ``message`` is a finished sentence; or, given ``field`` (a request parameter's neutral
    name: ``metrics``, ``by``, ``where``, ``period``, ``from``, ``to``, ``engine``), a
    template marked with ``N_`` that each front end fills with its own words:
    ``{param}`` the parameter, ``{given}`` the parameter with ``value``,
    ``{param_X}``/``{given_X}`` the same for parameter X (its value in ``details``),
    ``{value}`` the value quoted, ``{allowed}`` the choices, ``{catalog}`` where the
    metric ids are listed, any other placeholder from ``details``."""

    exit_code = 2
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None, value: Any = None,
                 allowed: Iterable[str] = (), **details: Any):
        self.template = message if field is not None else None
        self.field, self.value, self.allowed, self.details = field, value, tuple(allowed), details
        super().__init__(message if field is None else self.user_message())

    def user_message(self, wording: Wording | None = None) -> str:
        if self.template is None:
            return str(self)
        return (wording or NEUTRAL).sentence(self)


class QueryError(UsageError):
    pass


class Wording:
    """How a front end names a request's parameters in its sentences; this one is neutral
    (reports, logs, Python callers): ``by``, ``from 2026-03-01``, "the metric catalog"."""

    catalog = N_("the metric catalog")   # where a user finds the metric ids

    def param(self, field: str) -> str:
        return field

    def given(self, field: str, value: Any) -> str:
        return f"{self.param(field)} {value}"

    def sentence(self, e: UsageError) -> str:
        """``e``'s template translated and filled with this front end's words."""
        assert e.template is not None and e.field is not None
        text = translate(e.template)
        values = dict(e.details, param=self.param(e.field), given=self.given(e.field, e.value),
                      value=repr(e.value), allowed=", ".join(e.allowed),
                      catalog=translate(self.catalog))
        for name in PLACEHOLDER.findall(text):
            kind, sep, other = name.partition("_")
            if sep and kind == "param":
                values[name] = self.param(other)
            elif sep and kind == "given":
                values[name] = self.given(other, e.details[other])
        return text.format(**values)


NEUTRAL = Wording()


class InputError(TelekpiError):
    """Input that cannot be used; the message names where it is."""

    exit_code = 2
    http_status = 400

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: str | None = None):
        self.message, self.file, self.line, self.column = message, file, line, column
        super().__init__(self.user_message())

    def user_message(self, wording: Wording | None = None) -> str:
        return located(self.message, self.file, self.line, self.column)


def located(message: str, file: str | None = None, line: int | None = None,
            column: str | None = None) -> str:
    """``message`` prefixed with where it is: "FILE, line N, column C: message"."""
    if file:
        file = str(file)
        if line is not None and column:
            return _("{file}, line {line}, column {column}: {message}").format(
                file=file, line=line, column=column, message=message)
        if line is not None:
            return _("{file}, line {line}: {message}").format(file=file, line=line, message=message)
        if column:
            return _("{file}, column {column}: {message}").format(
                file=file, column=column, message=message)
        return f"{file}: {message}"
    if line is not None and column:
        return _("line {line}, column {column}: {message}").format(
            line=line, column=column, message=message)
    if line is not None:
        return _("line {line}: {message}").format(line=line, message=message)
    if column:
        return _("column {column}: {message}").format(column=column, message=message)
    return message


class ConfigError(InputError):
    pass


class AuthRequired(TelekpiError):
    """No valid session or token (pages redirect to the login form)."""

    http_status = 401


class AccessError(TelekpiError):
    http_status = 403


class NotFoundError(TelekpiError):
    http_status = 404


class NotForRole(NotFoundError):
    """A page the user's role has no use for (an agent on the centre's overview): 404 on the
    API; a page sends the user to ``home``, the page their role starts from."""

    def __init__(self, message: str, home: str):
        super().__init__(message)
        self.home = home


class TooManySignIns(TelekpiError):
    """Too many failed sign-ins for a name or from an address: refused for ``retry_after``
    more seconds (the ``Retry-After`` header)."""

    http_status = 429

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(self.user_message())

    def user_message(self, wording: Wording | None = None) -> str:
        minutes = max(1, -(-self.retry_after // 60))
        return ngettext("Too many failed sign-ins; try again in {n} minute.",
                        "Too many failed sign-ins; try again in {n} minutes.", minutes).format(n=minutes)


LEVELS = {"error": N_("error"), "warning": N_("warning")}


@dataclass(frozen=True)
class Issue:
    """One finding of a validator: collected, not raised one by one."""

    level: str  # "error" | "warning" (LEVELS)
    file: str | None
    line: int | None
    message: str

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line) if p is not None)
        level = translate(LEVELS.get(self.level, self.level))
        return f"{where}: {level}: {self.message}" if where else f"{level}: {self.message}"


class CatalogError(TelekpiError):
    """The workspace's own metric YAML is wrong: the server's fault, not the request's."""

    exit_code = 2

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__(self.user_message())

    def user_message(self, wording: Wording | None = None) -> str:
        errors = [i for i in self.issues if i.level == "error"]
        head = _("{n} error(s) in the metric catalog:").format(n=len(errors))
        return head + "\n" + "\n".join(f"  {i}" for i in errors)


class MissingDependencyError(TelekpiError):
    def __init__(self, what: str, extra: str):
        super().__init__(_("{what} needs an optional part: pip install 'telekpi[{extra}]'").format(
            what=what, extra=extra))


class ReportError(TelekpiError):
    """A report could not be written or delivered (no browser for PDF, SMTP refused, …)."""


def raise_issues(issues: list[Issue], heading: str) -> None:
    """Raise one ConfigError listing every collected issue by line, if there are any.

    ``heading`` is a whole translated sentence with ``{n}``, the number of issues, e.g.
    ``_("{n} problem(s) in the schedule:")``."""
    if issues:
        issues = sorted(issues, key=lambda i: i.line or 0)
        raise ConfigError(heading.format(n=len(issues)) + "\n" + "\n".join(
            f"  {i.file}:{i.line or '?'}: {i.message}" for i in issues))
