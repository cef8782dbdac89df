"""How far to trust a phrase item: precision and recall of hearing a phrase in lines that
went through simulated speech-to-text errors (a letter substituted, a word deleted, and in
Vietnamese the marks dropped), per language, at the default threshold. Printed with
`pytest -s`; the figures are in docs/call-analysis.md.

Each trial takes one of a language's QA phrases and a carrier line: half the lines contain
the phrase (recall: was it heard?), half contain one of the other phrases instead
(precision: was it heard where it was not said?)."""

from __future__ import annotations

import random

import pytest

from telekpi.qa.forms import default_threshold
from telekpi.qa.match import fold, heard, normalize

PHRASES = {
    "en": ["thank you for calling", "this call is recorded", "can you confirm your date of birth",
           "is there anything else I can help with", "we have a special offer", "have a nice day"],
    "vi": ["xin chào anh chị", "cuộc gọi được ghi âm", "anh chị có nhu cầu gì", "chương trình ưu đãi",
           "em xác nhận đơn hàng", "chúc anh chị một ngày tốt lành"],
    "th": ["ขอบคุณที่โทรมา", "การสนทนานี้มีการบันทึกเสียง", "มีอะไรให้ช่วยไหม", "โปรโมชั่นพิเศษ",
           "ยืนยันวันเกิด", "ขอให้มีวันที่ดี"],
    "zh_Hans": ["感谢您的来电", "本次通话将被录音", "请问有什么可以帮您", "我们有优惠活动", "请确认您的生日",
                "祝您生活愉快"],
}
# Lines near a phrase that do not say it: a precision worth the name must reject them.
NEAR = {
    "en": ["thank you for waiting", "this call is dropped", "can you confirm your address",
           "is there anything wrong with it", "we have a special delivery", "have a nice trip"],
    "vi": ["xin lỗi anh chị", "cuộc gọi bị ngắt", "anh chị có con mấy tuổi", "chương trình ca nhạc",
           "em hủy đơn hàng", "chúc anh chị ngủ ngon"],
    "th": ["ขอบคุณที่รอสาย", "การสนทนานี้จบแล้ว", "มีอะไรเสียไหม", "โปรแกรมพิเศษ", "ยืนยันที่อยู่",
           "ขอให้เดินทางปลอดภัย"],
    "zh_Hans": ["感谢您的耐心", "本次通话已结束", "请问有什么问题", "我们有新产品", "请确认您的地址", "祝您旅途愉快"],
}
CARRIERS = {"en": ("okay so {} and then", "well {}", "{} right"), "vi": ("dạ {} ạ", "vâng {} nhé", "{} ạ"),
            "th": ("ค่ะ {} นะคะ", "ครับ {}", "{} ค่ะ"), "zh_Hans": ("好的{}。", "那么{}吧", "{}。")}
ALPHABET = {"en": "abcdefghijklmnopqrstuvwxyz", "vi": "abcdeghiklmnopqrstuvxyàáâãèéêìíòóôõùúýăđơư",
            "th": "กขคงจฉชซญดตถทนบปผพฟมยรลวสหอะาิีุูเแโ", "zh_Hans": "的一是不了人我在有他这中大来上国个到说们"}


def garble(text: str, language: str, rnd: random.Random, rate: float) -> str:
    """A letter substituted with probability ``rate`` (per phrase, up to two), a word deleted
    with probability ``rate`` (languages with spaces), the marks dropped in half the
    Vietnamese lines."""
    chars = list(text)
    for _ in range(2):
        if rnd.random() < rate:
            i = rnd.randrange(len(chars))
            if not chars[i].isspace():
                chars[i] = rnd.choice(ALPHABET[language])
    text = "".join(chars)
    if " " in text and rnd.random() < rate:
        ws = text.split()
        del ws[rnd.randrange(len(ws))]
        text = " ".join(ws)
    if language == "vi" and rnd.random() < 0.5:
        text = fold(text)
    return text


def measure(language: str, trials: int = 400, rate: float = 0.3) -> tuple[float, float]:
    rnd = random.Random(25)
    seg = language
    fold_marks = language == "vi"
    phrases = {p: normalize(p, seg, fold_marks) for p in PHRASES[language]}
    tp = fp = fn = 0
    for n in range(trials):
        target = rnd.choice(PHRASES[language])
        said = target if n % 2 == 0 else rnd.choice([p for p in PHRASES[language] if p != target]
                                                    + NEAR[language])
        line = rnd.choice(CARRIERS[language]).format(garble(said, language, rnd, rate))
        found = heard([phrases[target]], normalize(line, seg, fold_marks), default_threshold(language)) is not None
        if said == target:
            tp += found
            fn += not found
        else:
            fp += found
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


SLOW = ("th", "zh_Hans")


@pytest.mark.parametrize("language", [pytest.param(lang, marks=pytest.mark.slow) if lang in SLOW else lang
                                      for lang in PHRASES])
def test_precision_and_recall_with_recognition_errors(language):
    precision, recall = measure(language)
    print(f"\nphrase items, {language}: precision {precision:.0%}, recall {recall:.0%} "
          f"(400 lines, 30 % error rate, threshold {default_threshold(language):g})")
    assert precision >= 0.95 and recall >= 0.8
