"""QA on the dashboard: QA score and pass rate, compliance and the customer's sentiment per
team and agent, the items each agent misses most, the latest calls scored; a call's view
shows its transcript beside its QA items (docs/call-analysis.md)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from telekpi.engine.call_view import call_analysis, missed_items, scored_calls
from telekpi.errors import NotFoundError
from telekpi.i18n import _
from telekpi.web.access import scope_of
from telekpi.web.pages import PageDep

router = APIRouter(include_in_schema=False)

QA_KPIS = ("qa_score", "qa_pass_rate", "compliance_rate", "negative_sentiment_rate", "predicted_csat", "csat")


@router.get("/qa")
def qa(p: PageDep) -> HTMLResponse:
    metrics = p.allowed(QA_KPIS)
    total = p.engine.query(p.request_for(metrics)).rows[0] if metrics else {}
    by_team = p.engine.query(p.request_for(metrics, by=("team",))).rows if metrics else []
    by_agent = p.engine.query(p.request_for(metrics, by=("agent",))).rows if metrics else []
    scope = scope_of(p.user)
    return p.render("qa.html", metrics=metrics, total=total, by_team=by_team,
                    by_agent=[r for r in by_agent if r.get("qa_score") is not None],
                    missed=missed_items(p.look, scope, p.filters.start, p.filters.end),
                    calls=scored_calls(p.look, scope, p.filters.start, p.filters.end))


@router.get("/qa/calls/{call_id:path}")
def qa_call(call_id: str, p: PageDep) -> HTMLResponse:
    found = call_analysis(p.look, call_id, scope_of(p.user))
    if found is None:
        raise NotFoundError(_("no call {call} that you may see").format(call=repr(call_id)))
    return p.render("qa_call.html", **found)
