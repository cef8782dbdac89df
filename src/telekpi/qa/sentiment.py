"""The customer's sentiment per utterance and per call, from the lexicons shipped in
``qa/lexicons`` (written for telekpi, Apache-2.0; LICENSE.md there).

An utterance's language is told by its script (Thai letters: th; Han characters: Chinese,
both lexicons; Vietnamese letters such as ă, ơ, đ or its tone marks: vi; else en). Its
words are cut as QA matching cuts them (``qa/match.py``) and looked up longest first (up
to four words: "không hài lòng", "not working"); a negator within the three words before a
sentiment word flips it, an intensifier just before multiplies it by 1.5. The utterance's
score is the sum s normalised to -1…1 as VADER does, s / √(s² + 15); the call's is the
mean over the customer's utterances that carry sentiment (0 when none do), negative below
``NEGATIVE_BELOW``."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from telekpi.qa.match import words

NEGATIVE_BELOW = -0.2
MAX_WORDS = 4
NEGATION_REACH = 3
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_VI = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")


@dataclass(frozen=True)
class Lexicon:
    terms: dict[tuple[str, ...], float]
    negators: frozenset[str]
    intensifiers: frozenset[str]


@dataclass(frozen=True)
class Sentiment:
    score: float | None       # -1…1; None: no customer utterance
    negative: bool
    utterances: int           # the customer's utterances looked at


def language_of(text: str) -> str:
    if _THAI.search(text):
        return "th"
    if _HAN.search(text):
        return "zh"
    if _VI.search(text.lower()):
        return "vi"
    return "en"


@cache
def lexicon(language: str) -> Lexicon:
    files = ("zh_Hans", "zh_Hant") if language == "zh" else (language,)
    terms: dict[tuple[str, ...], float] = {}
    negators, intensifiers = set(), set()
    seg = "zh_Hans" if language == "zh" else language
    for name in files:
        text = resources.files("telekpi.qa").joinpath(f"lexicons/{name}.tsv").read_text(encoding="utf-8")
        for line in text.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            a, b = line.split("\t")
            if a == "!not":
                negators.add(b.casefold())
            elif a == "!very":
                intensifiers.add(b.casefold())
            else:
                terms[tuple(words(a, seg))] = float(b)
    return Lexicon(terms, frozenset(negators), frozenset(intensifiers))


def utterance_score(text: str) -> tuple[float, bool]:
    """(-1…1, carries sentiment)."""
    language = language_of(text)
    lex = lexicon(language)
    toks = words(text, "zh_Hans" if language == "zh" else language)
    total, hits, i = 0.0, 0, 0
    while i < len(toks):
        for n in range(min(MAX_WORDS, len(toks) - i), 0, -1):
            value = lex.terms.get(tuple(toks[i:i + n]))
            if value is not None:
                break
        else:
            i += 1
            continue
        if value:
            before = toks[max(0, i - NEGATION_REACH):i]
            if any(t in lex.negators for t in before):
                value = -value * (0.75 if value > 0 else 0.5)   # "not bad" is milder than "good"
            if before and before[-1] in lex.intensifiers:
                value *= 1.5
            total += value
            hits += 1
        i += n
    return (total / math.sqrt(total * total + 15), True) if hits else (0.0, False)


def call_sentiment(utterances: list[tuple[str, str]]) -> Sentiment:
    """``utterances``: (speaker, text). The customer's; everyone's when no one is attributed."""
    attributed = any(s in ("agent", "customer") for s, _ in utterances)
    mine = [t for s, t in utterances if not attributed or s == "customer"]
    if not mine:
        return Sentiment(None, False, 0)
    scored = [v for v, carries in map(utterance_score, mine) if carries]
    score = round(sum(scored) / len(scored), 4) if scored else 0.0
    return Sentiment(score, score < NEGATIVE_BELOW, len(mine))
