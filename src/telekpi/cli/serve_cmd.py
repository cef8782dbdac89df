"""`telekpi serve` (the dashboard and API) and `telekpi user` (who may log in)."""

from __future__ import annotations

import getpass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typer
from typer.core import TyperGroup

from telekpi.cli.output import print_table
from telekpi.cli.root import app, db_path, workspace_settings
from telekpi.errors import UsageError
from telekpi.i18n import _, current, ngettext, set_language
from telekpi.units import human

user_app = typer.Typer(help="Users of the dashboard and API: add, list, remove, token.",
                       no_args_is_help=True)
app.add_typer(user_app, name="user")


@app.command("serve")
def serve_cmd(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    secure_cookies: bool = typer.Option(False, "--secure-cookies",
                                        help="Mark cookies Secure (set when served over HTTPS)."),
    alerts_interval: float = typer.Option(60, "--alerts-interval",
                                          help="Check the alert rules every this many seconds "
                                               "and send what is new (0: never)."),
    follow: list[Path] = typer.Option([], "--follow", help="A switch's log to keep importing while "
                                      "serving (queue_log, Master.csv); may be given several times."),
) -> None:
    """Serve the web dashboard and the REST API (/api/v1, docs at /api/v1/docs)."""
    import uvicorn

    from telekpi.web.app import create_app

    db = db_path(ctx)
    if not db.exists():
        raise UsageError(_("{db}: no warehouse here yet; run `telekpi demo` or `telekpi import` first").format(db=db))
    application = create_app(db, secure_cookies=secure_cookies)
    import threading

    from telekpi.web.pages import warm

    threading.Thread(target=warm, args=(application.state.web,), daemon=True,
                     name="telekpi-warm").start()
    lang = current()   # the background loops speak the language of this command
    if alerts_interval > 0:
        threading.Thread(target=_alert_loop, args=(application.state.web, alerts_interval, lang),
                         daemon=True, name="telekpi-alerts").start()
    for log in follow:
        threading.Thread(target=_follow_loop, args=(application.state.web, log, 1.0, lang), daemon=True,
                         name=f"telekpi-follow-{log.name}").start()
    if not application.state.web.users.list():
        typer.echo(_("No users yet: add one with `telekpi user add NAME --role admin`."), err=True)
    _log_to_stderr()
    typer.echo(_("telekpi dashboard on {url}  (API docs: /api/v1/docs)").format(url=f"http://{host}:{port}/"))
    try:
        uvicorn.run(application, host=host, port=port, log_level="warning")
    finally:
        application.state.web.close()


def _log_to_stderr() -> None:
    """telekpi's own log lines (sign-in locks, …) on stderr with the time, beside uvicorn's."""
    import logging

    logger = logging.getLogger("telekpi")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s telekpi: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def _alert_loop(state, interval: float, lang: str = "en") -> None:
    """The server is the warehouse's only reader and writer while it runs, so it checks the
    alert rules itself; a failing round is reported and retried at the next one."""
    import time

    from telekpi.errors import TelekpiError

    set_language(lang)   # a thread starts in the default language
    state.warmed.wait(600)
    while True:
        try:
            state.workspace.check_alerts()
        except TelekpiError as e:
            typer.echo("telekpi: " + _("alerts: {message}").format(message=e.user_message()), err=True)
        time.sleep(interval)


def _follow_loop(state, log: Path, interval: float = 1.0, lang: str = "en") -> None:
    """The server holds the warehouse, so it follows logs itself, through its one writer."""
    import time

    from telekpi.errors import TelekpiError
    from telekpi.ingest.registry import detect_format

    set_language(lang)
    while True:
        try:
            fmt = detect_format(log)
            ws = state.workspace
            follower = ws.follower((fmt.tables or ("calls",))[0], log, fmt=fmt.name, writer=ws.write)
            for __ in follower.run(interval):
                for note in follower.notes:
                    typer.echo("telekpi: " + _("follow: {note}").format(note=note), err=True)
                follower.notes.clear()
        except TelekpiError as e:
            typer.echo("telekpi: " + _("follow {path}: {message}").format(path=log, message=e.user_message()),
                       err=True)
            time.sleep(max(interval, 5))


def _users(ctx: typer.Context):
    from telekpi.web.auth import Users

    return Users.beside(db_path(ctx))


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Login name."),
    role: str = typer.Option(..., "--role", help="admin, supervisor or agent."),
    team: list[str] = typer.Option([], "--team", help="A team a supervisor sees (repeatable)."),
    agent: str = typer.Option(None, "--agent", help="An agent user's own agent id."),
    password: str = typer.Option(None, "--password", envvar="TELEKPI_PASSWORD",
                                 help="Password (asked for when not given)."),
) -> None:
    """Add a user who can log in to the dashboard."""
    if password is None:
        password = getpass.getpass(_("Password for {name}: ").format(name=name))
        if password != getpass.getpass(_("Again: ")):
            raise UsageError(_("the two passwords differ"))
    user = _users(ctx).add(name, password, role, tuple(team), agent)
    details = [user.role]
    if user.teams:
        details.append(_("teams {teams}").format(teams=", ".join(user.teams)))
    if user.agent_id:
        details.append(_("agent {agent}").format(agent=user.agent_id))
    typer.echo(_("added {name} ({details})").format(name=user.name, details=", ".join(details)))


@user_app.command("list")
def user_list(ctx: typer.Context) -> None:
    """List users and what they may see."""
    rows = [{"name": u.name, "role": u.role, "teams": ", ".join(u.teams), "agent": u.agent_id}
            for u in _users(ctx).list()]
    print_table(["name", "role", "teams", "agent"], rows, {}, title=_("{n} users").format(n=len(rows)),
                labels={"name": _("name"), "role": _("role"), "teams": _("teams"), "agent": _("agent")})


@user_app.command("remove")
def user_remove(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    """Remove a user, their sessions and their API tokens."""
    _users(ctx).remove(name)
    typer.echo(_("removed {name}").format(name=name))


class _TokenGroup(TyperGroup):
    """`telekpi user token NAME …` makes a token (as `token create NAME …` does); `list` and
    `revoke` are the other subcommands."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:   # Typer's own Click Context
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["create", *args]
        return super().parse_args(ctx, args)


token_app = typer.Typer(cls=_TokenGroup, no_args_is_help=True,
                        help="API tokens: `token NAME` makes one (as `token create NAME` does), "
                             "`token list` lists them, `token revoke ID` revokes one.")
user_app.add_typer(token_app, name="token")


def _zone(ctx: typer.Context) -> ZoneInfo:
    settings = workspace_settings(db_path(ctx))
    return settings.tz if settings else ZoneInfo("UTC")


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The user the token acts as."),
    label: str = typer.Option(None, "--label", help="What the token is for."),
    expires: str = typer.Option(None, "--expires", help="When it stops working: a number of days "
                                "such as 30d, or its last day such as 2026-12-31 [default: never]."),
) -> None:
    """Create an API token acting as NAME (shown once; send it as 'Authorization: Bearer …')."""
    from telekpi.web.auth import expiry, token_id

    users = _users(ctx)
    zone = _zone(ctx)
    until = expiry(expires, zone, users.clock())
    secret = users.new_token(name, label, until)
    typer.echo(secret)
    when = (_("expires {when}").format(when=human(datetime.fromtimestamp(until, zone), "datetime"))
            if until is not None else _("never expires"))
    typer.echo(_("token {id} for {name}, {expiry}; it is not shown again").format(
        id=token_id(secret), name=name, expiry=when), err=True)


@token_app.command("list")
def token_list(ctx: typer.Context,
               name: str = typer.Argument(None, help="Only this user's tokens [default: everyone's].")) -> None:
    """List API tokens: id, user, label, expiry, last use and status, never the tokens themselves."""
    from telekpi.i18n import translate

    users = _users(ctx)
    if name is not None and not users.get(name):
        raise UsageError(_("no user {name}; `telekpi user list` shows them").format(name=repr(name)))
    zone, now = _zone(ctx), users.clock()

    def moment(t: float | None) -> datetime | None:
        return datetime.fromtimestamp(t, zone) if t is not None else None

    rows = [{"id": t.id, "user": t.name, "label": t.label, "created": moment(t.created_at),
             "expires": moment(t.expires_at) or _("no expiry"),
             "last_used": moment(t.last_used_at) or _("not yet"),
             "status": translate(t.status(now))} for t in users.tokens(name)]
    columns = ["id", "user", "label", "created", "expires", "last_used", "status"]
    print_table(columns, rows, {}, title=ngettext("{n} API token", "{n} API tokens", len(rows)).format(n=len(rows)),
                labels={"id": _("id"), "user": _("user"), "label": _("label"), "created": _("created"),
                        "expires": _("expires"), "last_used": _("last used"), "status": _("status")})


@token_app.command("revoke")
def token_revoke(ctx: typer.Context, token_id: str = typer.Argument(
        ..., help="The token's id, as `telekpi user token list` shows it.")) -> None:
    """Revoke an API token: from now on it gets 401."""
    users = _users(ctx)
    token = users.revoke(token_id)
    if token.revoked_at is not None:
        when = human(datetime.fromtimestamp(token.revoked_at, _zone(ctx)), "datetime")
        typer.echo(_("token {id} of {name} was revoked already, on {when}").format(
            id=token.id, name=token.name, when=when))
    else:
        typer.echo(_("revoked token {id} of {name}").format(id=token.id, name=token.name))
