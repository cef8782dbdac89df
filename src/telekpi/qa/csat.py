"""Predicted CSAT: the chance a customer would answer a survey satisfied (score ≥ 0.8 ×
scale_max, as the csat metric counts), learned from this centre's own calls that have both
a survey and analytics, by logistic regression (scikit-learn) on the customer's sentiment,
the number of customer utterances, the QA score and, when speech analytics ran, the agent
talk ratio, longest silence and interruptions.

It is learned on 75 % of the surveyed calls (split at random, stratified, seed 0) and its
accuracy measured on the other 25 %, beside the accuracy of always guessing the more common
answer (the baseline it must beat to mean anything). Fewer than ``MIN_SURVEYS`` surveyed
calls, or only one kind of answer among them, and nothing is learned: "not enough surveys to
learn from (N, need M)"."""

from __future__ import annotations

import math
from dataclasses import dataclass

from telekpi.errors import InputError
from telekpi.i18n import _
from telekpi.store import transcript_store as store
from telekpi.store.warehouse import Warehouse

MIN_SURVEYS = 40
MIN_EACH = 5   # of satisfied and of unsatisfied answers
FEATURES = ("sentiment", "customer_utterances", "qa_score", "agent_talk_ratio", "longest_silence_s",
            "interruptions")


@dataclass(frozen=True)
class CsatModel:
    surveyed: int            # calls with a survey and analytics
    trained_on: int
    tested_on: int
    accuracy: float          # on the held-out calls
    baseline: float          # always the more common answer, on the same calls
    features: tuple[str, ...]
    predicted: int           # calls given a predicted CSAT


def _vector(row: dict, features: tuple[str, ...], means: dict[str, float]) -> list[float]:
    return [float(row[f]) if row[f] is not None and math.isfinite(row[f]) else means[f] for f in features]


def learn(wh: Warehouse) -> CsatModel:
    """Learn, measure and write ``call_sentiment.predicted_csat`` for every analysed call."""
    rows = store.csat_training_rows(wh)
    satisfied = sum(r["satisfied"] for r in rows)
    if len(rows) < MIN_SURVEYS or min(satisfied, len(rows) - satisfied) < MIN_EACH:
        raise InputError(_("not enough surveys to learn from ({n}, need {m}, at least {each} satisfied and "
                           "{each} not): predicted CSAT is left empty").format(
            n=len(rows), m=MIN_SURVEYS, each=MIN_EACH))
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    features = tuple(f for f in FEATURES if any(r[f] is not None for r in rows))
    means = {f: sum(r[f] for r in rows if r[f] is not None) / max(1, sum(r[f] is not None for r in rows))
             for f in features}
    x = [_vector(r, features, means) for r in rows]
    y = [r["satisfied"] for r in rows]
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(x_train, y_train)
    accuracy = float(model.score(x_test, y_test))
    common = max(sum(y_test), len(y_test) - sum(y_test))
    final = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(x, y)
    everyone = store.features(wh)
    probs = final.predict_proba([_vector(r, features, means) for r in everyone])[:, 1] if everyone else []
    store.set_predicted(wh, {r["call_id"]: round(float(p), 4) for r, p in zip(everyone, probs, strict=True)})
    return CsatModel(len(rows), len(y_train), len(y_test), round(accuracy, 4), round(common / len(y_test), 4),
                     features, len(everyone))
