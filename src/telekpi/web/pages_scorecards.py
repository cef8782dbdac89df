"""Scorecards on the dashboard: the workspace's KPI templates (scorecards/*.yaml), scored."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from telekpi.errors import NotFoundError
from telekpi.i18n import _
from telekpi.targets.scorecard import scorecard
from telekpi.targets.template import load_template
from telekpi.web.filters import parse_date
from telekpi.web.pages import PageDep

router = APIRouter(include_in_schema=False)


@router.get("/scorecards")
def scorecards(p: PageDep, template: str = "", as_of: str = "") -> HTMLResponse:
    folder = p.workspace.file("scorecards")
    names = sorted(f.name for f in folder.glob("*.yaml")) if folder.is_dir() else []
    data = None
    if names:
        name = template or names[0]
        if name not in names:
            raise NotFoundError(_("no KPI template {name} in {folder}").format(name=repr(name), folder=folder))
        data = scorecard(p.engine, load_template(folder / name, p.engine.catalog),
                         parse_date(as_of, "as_of"))
        user = p.user
        if user.role == "supervisor":
            data["agents"] = [a for a in data["agents"] if a["team"] in user.teams]
            data["teams"] = [t for t in data["teams"] if t["team"] in user.teams]
            data["vendors"] = []
        elif user.role == "agent":
            data["agents"] = [a for a in data["agents"] if a["agent"] == user.agent_id]
            data["teams"], data["vendors"] = [], []
        template = name
    return p.render("scorecards.html", names=names, current=template, data=data, folder=folder,
                    as_of=as_of)
