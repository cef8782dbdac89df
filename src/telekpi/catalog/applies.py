"""What a metric applies to: the dimensions it can be split or filtered by, and why not.

A metric reads the semantic models of its measures (``models.py``), so it can be split by a
dimension each of those models carries, except where its events cannot belong to the
dimension: a measure's or a metric's ``not_by`` in the catalog (calls the dialer drops
reach no agent, so they belong to no agent, team, site or vendor). A metric built on
others (a ratio of measures, a derived metric over metrics) inherits every ``not_by`` of
what it is built on. Split by such a dimension, its value is missing, with the reason, on
every surface: never a 0 that reads like a measurement.
"""

from __future__ import annotations

from sqlglot import exp

from telekpi.catalog.models import DIMENSIONS, MODELS
from telekpi.catalog.snippets import parse
from telekpi.catalog.spec import Applies, NotBy


def parts(catalog, metric_id: str) -> tuple[list[str], list[str]]:
    """The metrics (``metric_id`` first) and the measures a metric is built on, transitively."""
    metrics: list[str] = []
    measures: list[str] = []

    def visit(mid: str) -> None:
        if mid in metrics:
            return
        metrics.append(mid)
        m = catalog.metrics[mid]
        refs: list[str] = []
        if m.type in ("simple", "growth"):
            refs = [m.measure]
        elif m.type == "ratio":
            refs = [m.numerator, m.denominator]
        elif m.type == "derived" and m.expr:
            refs = sorted({c.name for c in parse(m.expr).find_all(exp.Column)})
        for ref in refs:
            if ref in catalog.metrics and m.type == "derived":
                visit(ref)
            elif ref in catalog.measures and ref not in measures:
                measures.append(ref)

    visit(metric_id)
    return metrics, measures


def models_of(catalog, metric_id: str) -> list[str]:
    """The models a metric reads, in the order its measures name them."""
    if catalog.metrics[metric_id].type == "retention":
        return ["orders"]
    out: list[str] = []
    for meas in parts(catalog, metric_id)[1]:
        model = catalog.measures[meas].model
        if model not in out:
            out.append(model)
    return out


def not_by(catalog, metric_id: str, dims) -> NotBy | None:
    """The first of ``dims`` the metric cannot be split or filtered by, and why; None if it
    can be by all of them."""
    metrics, measures = parts(catalog, metric_id)
    models = models_of(catalog, metric_id)
    excluded = [catalog.metrics[m] for m in metrics] + [catalog.measures[m] for m in measures]
    for d in dims:
        for name in models:
            if d not in MODELS[name].dims:
                return NotBy(metric_id, d, model=name)
        for spec in excluded:
            if d in spec.not_by:
                return NotBy(metric_id, d, reason=spec.reason)
    return None


def work_out(catalog) -> dict[str, Applies]:
    """Each metric's ``Applies``: kept with the loaded catalog, so that listing it (``telekpi
    metrics``) needs no SQL parser."""
    out = {}
    for mid in catalog.metrics:
        metrics, measures = parts(catalog, mid)
        excluded: list[str] = []
        reason = None
        for spec in [catalog.metrics[m] for m in metrics] + [catalog.measures[m] for m in measures]:
            for d in spec.not_by:
                if d not in excluded:
                    excluded.append(d)
                    reason = reason or spec.reason
        dims = tuple(d for d in DIMENSIONS if not_by(catalog, mid, (d,)) is None)
        out[mid] = Applies(dims, tuple(d for d in DIMENSIONS if d not in dims),
                           tuple(d for d in DIMENSIONS if d in excluded), reason)
    return out


def applies(catalog, metric_id: str) -> Applies:
    """What ``metric_id`` can be split by, from the loaded catalog (worked out if it was not)."""
    if metric_id not in catalog.applies:
        catalog.applies = work_out(catalog)
    return catalog.applies[metric_id]


# -- kinds of work: like with like --------------------------------------------------------------
def applicable(catalog, metrics, kind: str | None) -> list[str]:
    """Those of ``metrics`` that judge work of ``kind`` (the catalog's ``kinds``)."""
    return [m for m in metrics if catalog.metrics[m].applies_to(kind)]


def like_with_like(catalog, metrics, kinds) -> str:
    """The sentence a leaderboard, a diagnosis or a scorecard says of whom it compares and on
    what: agents only with agents of their own kind of work, and only on the metrics that
    apply to it; for each of ``kinds`` (those present), the metrics it is not judged on."""
    from telekpi.i18n import _, translate
    from telekpi.i18n.words import KINDS as KIND_WORDS
    from telekpi.i18n.words import word

    parts = [_("Agents are compared only with agents of the same kind of work (that of the "
               "campaigns most of their calls are on), and only on the KPIs that apply to it.")]
    for kind in dict.fromkeys(k for k in kinds if k):
        left = [translate(catalog.metrics[m].name) for m in metrics
                if not catalog.metrics[m].applies_to(kind)]
        if left:
            parts.append(_("{kind} is not judged on {metrics}.").format(
                kind=_first_upper(word(KIND_WORDS, kind)), metrics=", ".join(left)))
    return " ".join(parts)


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]
