"""Words the engine returns as codes (funnel stages, band levels), as people read them."""

from __future__ import annotations

from telekpi.i18n import N_, gettext, translate

STAGE_NAMES = {"attempted": N_("attempted"), "connected": N_("connected"),
               "decision_maker": N_("decision maker"), "qualified": N_("qualified"), "won": N_("won")}
BAND_LEVELS = {"poor": N_("poor"), "fair": N_("fair"), "standard": N_("standard"),
               "good": N_("good"), "excellent": N_("excellent")}


def band_text(band) -> str:
    """A catalog band's label (or its level) in the language in use."""
    return translate(band.label) if band.label else level_name(band.level)


def level_name(level: str | None) -> str:
    return translate(BAND_LEVELS.get(level or "", level or "—"))


def stage_name(stage: str) -> str:
    return translate(STAGE_NAMES.get(stage, stage))

DIMENSIONS = {"agent": N_("agent"), "team": N_("team"), "site": N_("site"), "vendor": N_("vendor"),
              "campaign": N_("campaign"), "industry": N_("industry"), "product": N_("product"),
              "lead_source": N_("lead source"), "segment": N_("segment"), "script": N_("script"),
              "direction": N_("direction"), "disposition": N_("disposition"), "status": N_("status"),
              "hour": N_("hour"), "weekday": N_("weekday"), "queue": N_("queue")}
UNITS = {"count": N_("count"), "rate": N_("rate"), "seconds": N_("seconds"), "money": N_("money"),
         "ratio": N_("ratio"), "score": N_("score")}
BETTER = {"higher": N_("higher is better"), "lower": N_("lower is better")}
CADENCES = (N_("daily"), N_("weekly"), N_("twice weekly"), N_("monthly"))
ROLES = {"admin": N_("admin"), "supervisor": N_("supervisor"), "agent": N_("agent")}
KINDS = {"outbound_sales": N_("outbound sales"), "inbound_care": N_("inbound care"),
         "collections": N_("collections")}
AGENT_STATES = {"on_call": N_("on a call"), "wrap": N_("in wrap-up"), "pause": N_("paused"),
                "available": N_("available"), "offline": N_("logged out")}
EVENTS = {"call": N_("call"), "order": N_("order"), "survey": N_("survey"), "ticket": N_("ticket"),
          "engagement": N_("engagement")}


def word(words: dict[str, str], code: str | None) -> str:
    """A code from one of the tables above in the language in use ("—" for none)."""
    return translate(words.get(code, code)) if code else "—"


def dim_name(dim: str) -> str:
    return translate(DIMENSIONS.get(dim, dim))


def remainder_label(dim: str) -> str:
    """The row of a breakdown whose value of ``dim`` is None: what no value of it carries (a
    campaign's cost by site, calls the dialer dropped by agent)."""
    return gettext("not attributable to any {dimension}").format(dimension=dim_name(dim))
