"""One exception root; messages for people are made at the edges (CLI, HTTP).

    TelekpiError                 anything telekpi raises on purpose (exit 1)
    ├── UsageError               bad options or arguments (exit 2)
    │   └── QueryError           a KPI request the catalog cannot answer
    ├── InputError               a file that cannot be read as asked (exit 2);
    │   │                        carries file, line and column
    │   └── ConfigError          telekpi.toml or a mapping file is wrong
    ├── AccessError              the user may not see or do this (HTTP 403)
    ├── NotFoundError            no such lead, agent, page (HTTP 404)
    ├── CatalogError             metric YAML failed validation; carries issues
    └── MissingDependencyError   an optional extra is not installed
"""

from __future__ import annotations

from dataclasses import dataclass

from telekpi.i18n import N_, _, translate


class TelekpiError(Exception):
    exit_code = 1

    def user_message(self) -> str:
        return str(self)


class UsageError(TelekpiError):
    exit_code = 2


class QueryError(UsageError):
    pass


class InputError(TelekpiError):
    """Input that cannot be used; the message names where it is."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: str | None = None):
        self.message, self.file, self.line, self.column = message, file, line, column
        super().__init__(self.user_message())

    def user_message(self) -> str:
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
    """No valid session or token (HTTP 401; pages redirect to the login form)."""


class AccessError(TelekpiError):
    pass


class NotFoundError(TelekpiError):
    pass


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
    exit_code = 2

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__(self.user_message())

    def user_message(self) -> str:
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
