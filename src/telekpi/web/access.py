"""What a user may see: roles turned into engine filters, and refusals (403).

Filters are values handed to the engine's ``Request.where`` and ``Scope``;
nothing here builds SQL. A supervisor sees their teams, an agent their own
numbers; asking for anything else is refused, never silently narrowed, so a
URL edited to another team gets 403 rather than a quietly different answer.
"""

from __future__ import annotations

from telekpi.engine.lookup import EVERYONE, Scope
from telekpi.errors import AccessError, NotForRole
from telekpi.i18n import _
from telekpi.web.auth import User


def scope_of(user: User) -> Scope:
    if user.role == "admin":
        return EVERYONE
    if user.role == "supervisor":
        return Scope(teams=user.teams)
    return Scope(agent=user.agent_id or "")


def scoped_where(user: User, where: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """The request's filters with the user's limits added; 403 for a filter outside them."""
    if user.role == "admin":
        return where
    if user.role == "supervisor":
        asked = [v for d, v in where if d == "team"]
        outside = [t for t in asked if t not in user.teams]
        if outside:
            raise AccessError(_("you supervise {teams}, not team {team}").format(
                teams=", ".join(user.teams), team=outside[0]))
        if asked:
            return where
        return where + tuple(("team", t) for t in user.teams)
    asked = [v for d, v in where if d == "agent"]
    if any(a != user.agent_id for a in asked):
        raise AccessError(_("agents see their own numbers only"))
    return where if asked else where + (("agent", user.agent_id or ""),)


def check_agent(user: User, agent_id: str, agent_team: str | None) -> None:
    """May ``user`` open this agent's page?"""
    if user.role == "admin":
        return
    if user.role == "supervisor" and agent_team in user.teams:
        return
    if user.role == "agent" and agent_id == user.agent_id:
        return
    raise AccessError(_("agent {agent} is outside what you may see").format(agent=agent_id))


def require_admin(user: User, refusal: str) -> None:
    """Refuse (403) with ``refusal``, one whole translated sentence, unless ``user`` is an admin."""
    if user.role != "admin":
        raise AccessError(refusal)


# The pages of each role, by path (a page's own sub-pages, /leads/L1, go with it). Admins
# and supervisors have every page (a supervisor's numbers are their teams'); an agent has
# their own day, their scorecard, their leads and alerts — not the centre's pages.
AGENT_PAGES = ("/my-day", "/scorecards", "/leads", "/alerts", "/tokens")
AGENT_HOME = "/my-day"
# The centre's pages, which send an agent to their own day (other pages keep their own
# answer: /import is 403 for all but admins, another agent's page 403).
CENTRE_PAGES = ("/", "/funnel", "/agents", "/campaigns", "/revenue", "/care", "/best-time",
                "/wallboard", "/operations", "/operations/compliance", "/operations/numbers",
                "/operations/attempts", "/staffing", "/qa", "/qa/review", "/qa/calibration")


def pages_of(user: User, leaderboard: bool = False) -> tuple[str, ...] | None:
    """The page paths ``user`` may open; None: every page. ``leaderboard``: the workspace lets
    agents see the Agents leaderboard (``agents_see_leaderboard``)."""
    if user.role != "agent":
        return None
    return AGENT_PAGES + (("/agents",) if leaderboard else ())


def check_page(user: User, path: str, leaderboard: bool = False) -> None:
    """Refuse a centre page to an agent (a page sends them to their own day). An agent's own
    agent page (/agents/ID) is checked by ``check_agent``."""
    allowed = pages_of(user, leaderboard)
    if allowed is not None and path in CENTRE_PAGES and path not in allowed:
        raise NotForRole(_("this page is not among an agent's pages"), AGENT_HOME)
