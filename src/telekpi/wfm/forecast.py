"""Arrivals per interval for the days ahead, and how far to trust them.

Two models of a days × intervals array of offered calls:

- ``seasonal-naive``: each interval as it was the same interval a week before (the
  baseline every forecast is judged against);
- ``holt-winters``: the volume of each day by Holt-Winters exponential smoothing (additive
  damped trend, weekly seasonality; statsmodels), spread over the day by the weekday's
  intraday profile (each interval's share of the day over the last PROFILE_WEEKS same
  weekdays). Daily seasonality is the profile, weekly the smoothing's season.

Special days (holidays, campaigns) come from the workspace calendar (``calendar.csv``:
``date,factor[,name]``): in the history they are replaced by the seasonal-naive value of
the day before they are fitted to; ahead, the day's forecast is multiplied by the factor
(0: closed).

Every forecast is backtested on rolling origins: the model is refitted as of each of the
last ORIGINS weeks, forecasts ``horizon`` days, and is scored on what then happened — WAPE
(Σ|actual − forecast| / Σ actual) and bias (Σ(forecast − actual) / Σ actual) — beside the
seasonal-naive baseline's scores on the same days."""

from __future__ import annotations

import csv
import math
import warnings
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from telekpi.errors import ConfigError, MissingDependencyError
from telekpi.i18n import _

MODELS = ("holt-winters", "seasonal-naive")
PROFILE_WEEKS = 8
ORIGINS = 4
WEEK = 7


def read_calendar(path: Path) -> dict[date, float]:
    """``date,factor[,name]`` lines (a header line is allowed) → {day: factor}; a bad line is
    a ConfigError naming the file and line."""
    out: dict[date, float] = {}
    try:
        lines = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    except (OSError, UnicodeDecodeError) as e:
        reason = f"{path}: {getattr(e, 'strerror', None) or e}"
        raise ConfigError(_("cannot read the calendar ({reason})").format(reason=reason)) from None
    for line_no, row in enumerate(lines, 1):
        first = row[0].strip() if row else ""
        if not first or first.startswith("#") or (line_no == 1 and first == "date"):
            continue
        try:
            day = date.fromisoformat(row[0].strip())
            factor = float(row[1]) if len(row) > 1 and row[1].strip() else 0.0
        except ValueError:
            raise ConfigError(_("write date,factor[,name], e.g. 2026-12-25,0,Christmas"),
                              file=str(path), line=line_no) from None
        if not 0 <= factor < math.inf:
            raise ConfigError(_("write date,factor[,name], e.g. 2026-12-25,0,Christmas"),
                              file=str(path), line=line_no)
        out[day] = factor
    return out


def require_statsmodels():
    try:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
    except ImportError:
        raise MissingDependencyError(_("the holt-winters forecast (--model seasonal-naive needs none)"),
                                     "wfm") from None
    return ExponentialSmoothing


def _cleaned(counts: np.ndarray, first: date, special: dict[date, float]) -> np.ndarray:
    """The history with special days replaced by the same day a week before (else left)."""
    out = counts.copy()
    for d in range(counts.shape[0]):
        if first + timedelta(days=d) in special and d >= WEEK:
            out[d] = out[d - WEEK]
    return out


def seasonal_naive(counts: np.ndarray, horizon: int) -> np.ndarray:
    """``horizon`` days ahead, each the same weekday's intervals of the last week."""
    last_week = counts[-WEEK:]
    return np.array([last_week[d % WEEK] for d in range(horizon)])


def holt_winters(counts: np.ndarray, horizon: int) -> np.ndarray:
    """Daily volumes by Holt-Winters (weekly season) × the weekday's intraday profile."""
    smoothing = require_statsmodels()
    daily = counts.sum(axis=1)
    days = counts.shape[0]
    if days < 2 * WEEK + 2:
        return seasonal_naive(counts, horizon)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # statsmodels warns of convergence on short or flat series
        fit = smoothing(daily, trend="add", damped_trend=True, seasonal="add",
                        seasonal_periods=WEEK, initialization_method="estimated").fit(use_brute=False)
        ahead = np.maximum(np.asarray(fit.forecast(horizon)), 0)
    out = np.zeros((horizon, counts.shape[1]))
    for h in range(horizon):
        # The same weekday over the last PROFILE_WEEKS weeks: its intervals' shares of the day.
        same = counts[days - WEEK + (h % WEEK)::-WEEK][:PROFILE_WEEKS]
        total = same.sum()
        profile = same.sum(axis=0) / total if total else np.full(counts.shape[1], 1 / counts.shape[1])
        out[h] = ahead[h] * profile
    return out


def predict(model: str, counts: np.ndarray, first: date, horizon: int,
            special: dict[date, float] | None = None) -> np.ndarray:
    """``horizon`` days × intervals of arrivals after the history ``counts`` (from ``first``)."""
    special = special or {}
    clean = _cleaned(counts, first, special)
    out = holt_winters(clean, horizon) if model == "holt-winters" else seasonal_naive(clean, horizon)
    start = first + timedelta(days=counts.shape[0])
    for h in range(horizon):
        factor = special.get(start + timedelta(days=h))
        if factor is not None:
            out[h] = out[h] * factor
    return out


def _scores(actual: np.ndarray, forecast: np.ndarray) -> dict:
    total = actual.sum()
    if total <= 0:
        return {"wape": None, "bias": None}
    return {"wape": float(np.abs(actual - forecast).sum() / total),
            "bias": float((forecast - actual).sum() / total)}


def backtest(model: str, counts: np.ndarray, first: date, horizon: int,
             special: dict[date, float] | None = None, origins: int = ORIGINS) -> dict:
    """Rolling origins a week apart, the last ``horizon`` days before the end of the history:
    the model's and the seasonal-naive baseline's WAPE and bias over all of them (by
    interval), and the origins used (fewer when the history is short)."""
    days = counts.shape[0]
    used, actual, ours, naive = [], [], [], []
    for k in range(origins):
        cut = days - horizon - k * WEEK
        if cut < 2 * WEEK:
            break
        h = min(horizon, days - cut)
        past = counts[:cut]
        actual.append(counts[cut:cut + h])
        ours.append(predict(model, past, first, h, special))
        naive.append(predict("seasonal-naive", past, first, h, special))
        used.append((first + timedelta(days=cut)).isoformat())
    if not used:
        return {"origins": [], "model": {"wape": None, "bias": None}, "baseline": {"wape": None, "bias": None}}
    a, m, n = np.concatenate(actual), np.concatenate(ours), np.concatenate(naive)
    return {"origins": sorted(used), "model": _scores(a, m), "baseline": _scores(a, n)}
