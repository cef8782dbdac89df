"""Formatting values for people: telekpi's Formatter vs Babel alone, per language.

    python bench/format_bench.py [--values 200000]

A CLI table, a dashboard page or a report writes every number through
``telekpi.i18n.numbers.Formatter``. This times, side by side in one run, the same
values (counts, amounts with cents, rates, money) formatted by the Formatter and by
Babel's format_decimal / format_percent / format_currency on the same half-up
rounded Decimals, checks that both wrote the same text, and prints µs per value and
the ratio. The f-string row is the floor: Python's own formatting with no locale.
"""

from __future__ import annotations

import argparse
import random
import re
import time

from babel.numbers import format_currency, format_decimal, format_percent

from telekpi.i18n.numbers import Formatter, half_up

LANGS = (("en", "USD"), ("vi", "VND"), ("th", "THB"), ("zh_Hans", "CNY"), ("zh_Hant", "TWD"))


def babel_only(f: Formatter, kind: str, v) -> str:
    if kind == "count":
        return format_decimal(half_up(v, 0), "#,##0", locale=f.locale)
    if kind == "amount":
        return format_decimal(half_up(v, 2), "#,##0.00", locale=f.locale)
    if kind == "rate":
        return format_percent(half_up(v, 1, scale=2) / 100, "#,##0.0%", locale=f.locale)
    digits = 0 if abs(v) >= 100 else f.currency_digits
    pattern = f.locale.currency_formats["standard"].pattern.split(";")[0]
    pattern = re.sub(r"\.0+", "." + "0" * digits if digits else "", pattern)
    return format_currency(half_up(v, digits), f.currency, pattern, locale=f.locale, currency_digits=False)


def telekpi_way(f: Formatter, kind: str, v) -> str:
    if kind == "count":
        return f.number(v)
    if kind == "amount":
        return f.number(v, 2)
    if kind == "rate":
        return f.percent(v)
    return f.money(v, symbol=True)


def values(kind: str, n: int, rng: random.Random) -> list:
    if kind == "count":
        return [rng.randrange(0, 10**7) for _ in range(n)]
    if kind == "rate":
        return [rng.random() for _ in range(n)]
    return [rng.uniform(-1e4, 1e9) for _ in range(n)]


def timed(fn, f: Formatter, kind: str, vs: list) -> tuple[float, list[str]]:
    started = time.perf_counter()
    out = [fn(f, kind, v) for v in vs]
    return (time.perf_counter() - started) / len(vs) * 1e6, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--values", type=int, default=200_000)
    args = ap.parse_args()
    rng = random.Random(7)
    print(f"{args.values:,} values per cell; µs per value\n")
    print("| language | kind | telekpi | Babel alone | speed-up | f-string floor |\n|---|---|---|---|---|---|")
    for lang, currency in LANGS:
        f = Formatter(lang, currency)
        for kind in ("count", "amount", "rate", "money"):
            vs = values(kind, args.values, rng)
            ours, a = timed(telekpi_way, f, kind, vs)
            babel, b = timed(babel_only, f, kind, vs)
            assert a == b, next((x, y) for x, y in zip(a, b, strict=True) if x != y)
            started = time.perf_counter()
            [f"{v:,.2f}" for v in vs]
            floor = (time.perf_counter() - started) / len(vs) * 1e6
            print(f"| {lang} | {kind} | {ours:.2f} | {babel:.2f} | {babel / ours:.1f}× | {floor:.2f} |")


if __name__ == "__main__":
    main()
