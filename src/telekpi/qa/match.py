"""Phrases found in what was said, tolerant of speech-to-text errors.

Text and phrases are normalised alike: Unicode NFKC, case folded, punctuation dropped,
words separated by one space: Thai cut into words by PyThaiNLP (``newmm``), Chinese by
jieba, other languages by their spaces (Vietnamese by its syllables). With
``fold_diacritics`` Vietnamese tones and marks are dropped too (đ → d), for recognisers and
agents that write without them.

A phrase is heard when it occurs as written, or when rapidfuzz's ``partial_ratio`` of
`` phrase `` within `` text `` (both padded with a space, so a match keeps to word
boundaries: "hi" is not heard in "this") reaches the threshold (0–100). At the default 85 a
ten-letter phrase survives one wrong letter, a twenty-letter one two or three; below 70
unrelated words begin to match (docs/call-analysis.md, "How far to trust each number").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz

_PUNCT = re.compile(r"[^\w\s]+", re.UNICODE)
_SPACE = re.compile(r"\s+")
_MARKS = re.compile(r"[\u0300-\u036f]+")


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


@lru_cache(maxsize=1)
def _thai():
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


def fold(text: str) -> str:
    """Diacritics dropped: "Xin chào, tôi là Đức" → "Xin chao, toi la Duc"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return _MARKS.sub("", unicodedata.normalize("NFD", text))


def words(text: str, language: str) -> list[str]:
    text = text.casefold() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    if language == "th":
        parts = [w for w in _thai()(_PUNCT.sub(" ", text), engine="newmm", keep_whitespace=False)]
    elif language.startswith("zh"):
        parts = list(_jieba().cut(_PUNCT.sub(" ", text)))
    else:
        return _PUNCT.sub(" ", text).split()
    return [p for p in (w.strip() for w in parts) if p]


def normalize(text: str, language: str, fold_diacritics: bool = False) -> str:
    """`` w1 w2 … `` (padded with spaces) as matching compares it."""
    joined = " ".join(words(text, language))
    if fold_diacritics and not joined.isascii():
        joined = fold(joined)
    return f" {joined} "


def similarity(phrase: str, text: str) -> float:
    """0–100: how well normalised ``phrase`` occurs in normalised ``text``."""
    if phrase in text:
        return 100.0
    if len(phrase) > len(text) + 2:
        return fuzz.ratio(phrase, text)
    return fuzz.partial_ratio(phrase, text)


def heard(phrases: list[str], text: str, threshold: float, *, fuzzy: bool = True) -> tuple[str, float] | None:
    """The first normalised phrase heard in normalised ``text`` and its similarity (exact
    occurrences only when not ``fuzzy``)."""
    for p in phrases:
        if p in text:
            return p, 100.0
    if not fuzzy:
        return None
    best = None
    for p in phrases:
        s = fuzz.partial_ratio(p, text, score_cutoff=threshold)
        if s and (best is None or s > best[1]):
            best = (p, s)
    return best
