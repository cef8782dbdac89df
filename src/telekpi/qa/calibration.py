"""Calibration (docs/call-analysis.md, "Reviewing calls"): several reviewers score the same
calls; how far they agree.

Per item, the agreement is the share of reviewer pairs (two reviewers of the same call) that
gave it the same mark. Over the items a person scores (kind ``human``: the ones calibration
is about; the automatic items are the machine's, and a reviewer mostly leaves them as
scored), the percent agreement, Fleiss' kappa (``statsmodels``; every call rated by the same
number of reviewers, the most common number) and Cohen's kappa per pair of reviewers
(``scikit-learn``). Kappa is agreement beyond chance: 1 perfect, 0 what reviewers marking at
random with the same pass rates would reach, below 0 worse; it is not defined (None) when
every mark is the same. Per call, the spread of the reviewers' total scores.

Items on a scale (``scale: 5``: marks 0 to 5) are compared by how far apart the marks are,
not only whether they are equal: per item the mean absolute difference between two
reviewers' marks, and per pair of reviewers the quadratically weighted Cohen's kappa
(``scikit-learn``; a mark one step off counts as nearly agreeing, five steps off as far
apart), the usual measure of agreement on an ordinal scale. Fleiss' kappa and the percent
agreement stay on the pass/fail items."""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations

from telekpi.i18n import _

MARKS = ("pass", "fail")


def _defined(labels: list[str]) -> bool:
    """Kappa needs more than one mark among the answers (else chance agreement is 1)."""
    return len(set(labels)) > 1


def fleiss(subjects: list[list[str]]) -> float | str | None:
    """Fleiss' kappa of ``subjects``, each the marks its reviewers gave (as many each); None
    when it is not defined; without statsmodels (the ``wfm`` extra), the sentence that says
    how to install it."""
    if not subjects or not _defined([m for s in subjects for m in s]):
        return None
    import numpy as np

    try:
        from statsmodels.stats.inter_rater import fleiss_kappa
    except ImportError:
        from telekpi.errors import MissingDependencyError

        return str(MissingDependencyError(_("Fleiss' kappa"), "wfm"))

    table = np.array([[s.count(m) for m in MARKS] for s in subjects])
    return float(fleiss_kappa(table, method="fleiss"))


def cohen(a: list[str], b: list[str]) -> float | None:
    """Cohen's kappa of two reviewers' marks on the same items."""
    if not a or not _defined(a + b):
        return None
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(a, b, labels=list(MARKS)))


def weighted(a: list[int], b: list[int]) -> float | None:
    """Quadratically weighted Cohen's kappa of two reviewers' marks on items on a scale."""
    if not a or len(set(a + b)) < 2:
        return None
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(a, b, labels=list(range(max(a + b) + 1)), weights="quadratic"))


def _scaled(mark) -> bool:
    return isinstance(mark, int | float) and not isinstance(mark, bool)


def calibration(reviews: list[dict], human: set[tuple[str, str]]) -> dict:
    """``reviews``: rows with call_id, form_id, reviewer, items ({item: pass | fail}), score,
    of calls reviewed by two or more; ``human``: the (form, item) pairs a person scores."""
    by_call: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in reviews:
        by_call[(r["call_id"], r["form_id"])].append(r)
    by_call = {k: v for k, v in by_call.items() if len(v) >= 2}
    items: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])   # (form, item) → [agree, pairs]
    subjects: list[list[str]] = []
    pairs: dict[tuple[str, str], tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    scaled_pairs: dict[tuple[str, str], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    apart: dict[tuple[str, str], list[float]] = defaultdict(list)   # (form, item) → |a − b| per pair
    calls = []
    for (call_id, form_id), rs in sorted(by_call.items()):
        agree = total = 0
        for item_id in sorted({i for r in rs for i in r["items"]}):
            marks = [(r["reviewer"], r["items"][item_id]) for r in rs if item_id in r["items"]]
            if len(marks) < 2:
                continue
            on_scale = all(_scaled(m) for _, m in marks)
            for (ra, ma), (rb, mb) in combinations(sorted(marks, key=lambda x: x[0]), 2):
                items[(form_id, item_id)][0] += ma == mb
                items[(form_id, item_id)][1] += 1
                agree, total = agree + (ma == mb), total + 1
                if on_scale:
                    apart[(form_id, item_id)].append(abs(ma - mb))
                    scaled_pairs[(ra, rb)][0].append(int(ma))
                    scaled_pairs[(ra, rb)][1].append(int(mb))
                elif (form_id, item_id) in human:
                    pairs[(ra, rb)][0].append(ma)
                    pairs[(ra, rb)][1].append(mb)
            if (form_id, item_id) in human and not on_scale:
                subjects.append([m for _, m in marks])
        scores = [r["score"] for r in rs if r["score"] is not None]
        calls.append({"call_id": call_id, "form_id": form_id, "agent_id": rs[0].get("agent_id"),
                      "reviewers": [r["reviewer"] for r in rs], "scores": [r["score"] for r in rs],
                      "spread": (max(scores) - min(scores)) if len(scores) >= 2 else None,
                      "agree": agree, "compared": total, "agreement": agree / total if total else None})
    human_pairs = [items[k] for k in items if k in human and k not in apart]
    agreeing, all_pairs = sum(a for a, _ in human_pairs), sum(n for _, n in human_pairs)
    raters = Counter(len(s) for s in subjects).most_common(1)
    n = raters[0][0] if raters else 0
    same_n = [s for s in subjects if len(s) == n]
    return {
        "calls": calls,
        "items": [{"form_id": f, "item_id": i, "human": (f, i) in human, "agree": a, "pairs": p,
                   "agreement": a / p if p else None,
                   "mean_difference": sum(apart[f, i]) / len(apart[f, i]) if apart.get((f, i)) else None}
                  for (f, i), (a, p) in sorted(items.items())],
        "agreement": agreeing / all_pairs if all_pairs else None, "pairs": all_pairs,
        "fleiss": fleiss(same_n), "fleiss_subjects": len(same_n), "fleiss_raters": n,
        "cohen": [{"reviewers": list(k), "items": len(a), "agreement": sum(x == y for x, y in zip(a, b, strict=True))
                   / len(a), "kappa": cohen(a, b)} for k, (a, b) in sorted(pairs.items())],
        "scaled": [{"reviewers": list(k), "items": len(a), "mean_difference": sum(abs(x - y) for x, y in
                    zip(a, b, strict=True)) / len(a), "kappa": weighted(a, b)}
                   for k, (a, b) in sorted(scaled_pairs.items())],
    }
