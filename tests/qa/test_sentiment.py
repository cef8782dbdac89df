"""Customer sentiment on labelled examples written for this test (not taken from the
lexicons), per language; the accuracy is printed (`pytest -s`) and written in
docs/call-analysis.md. Labels: + positive, - negative, 0 neutral."""

from __future__ import annotations

import pytest

from telekpi.qa.sentiment import NEGATIVE_BELOW, call_sentiment, language_of, utterance_score

EXAMPLES = {
    "en": [("Thanks a lot, that was really helpful.", "+"),
           ("Great, the new plan sounds good to me.", "+"),
           ("I'm happy with the service, you fixed it quickly.", "+"), ("Perfect, thank you so much.", "+"),
           ("That's not bad at all.", "+"), ("Okay, I'd like to sign up.", "+"),
           ("This is the worst service I have ever had.", "-"), ("I'm very disappointed, it still doesn't work.", "-"),
           ("You charged me twice, I want a refund.", "-"), ("Please stop calling me, I'm not interested.", "-"),
           ("I've been waiting for an hour, this is ridiculous.", "-"),
           ("It's not good, the internet is too slow.", "-"),
           ("My account number is 4521.", "0"), ("I'm calling about my bill from March.", "0")],
    "vi": [("Cảm ơn em nhiều, em tư vấn rất nhiệt tình.", "+"),
           ("Dịch vụ tốt lắm, chị rất hài lòng.", "+"),
           ("Ok em, anh đồng ý đăng ký gói này.", "+"), ("Tuyệt vời, giao hàng nhanh chóng.", "+"),
           ("Giá này hợp lý, chị thấy ưng ý.", "+"), ("Không tệ đâu em.", "+"),
           ("Anh không hài lòng chút nào.", "-"), ("Chờ lâu quá, bực mình thật sự.", "-"),
           ("Đừng gọi cho tôi nữa, tôi không quan tâm.", "-"), ("Sản phẩm bị lỗi, tôi muốn hoàn tiền.", "-"),
           ("Đắt quá, chị không mua đâu.", "-"), ("Mạng chậm quá, thất vọng ghê.", "-"),
           ("Số hợp đồng của chị là 123.", "0"), ("Anh đang ở Hà Nội.", "0")],
    "th": [("ขอบคุณมากค่ะ ช่วยได้เยอะเลย", "+"), ("บริการดีมาก ประทับใจค่ะ", "+"), ("โอเคครับ ตกลงสมัครครับ", "+"),
           ("ราคาคุ้มค่าดีครับ", "+"), ("พนักงานสุภาพมาก", "+"), ("ส่งของรวดเร็วดีค่ะ", "+"),
           ("แย่มาก รอนานเกินไป", "-"), ("ไม่พอใจเลยค่ะ", "-"), ("อย่าโทรมาอีกนะ ไม่สนใจ", "-"),
           ("ของเสียครับ ขอคืนเงิน", "-"), ("แพงเกินไปค่ะ", "-"), ("อินเทอร์เน็ตช้ามาก หงุดหงิด", "-"),
           ("เบอร์บัญชีคือ 1234 ครับ", "0"), ("ผมอยู่กรุงเทพครับ", "0")],
    "zh_Hans": [("谢谢你，帮了大忙。", "+"), ("服务很好，我很满意。", "+"), ("好的，我同意办理。", "+"),
                ("价格很划算。", "+"), ("你们的客服很专业。", "+"), ("送货很快，不错。", "+"),
                ("太差了，等了很久。", "-"), ("我很不满意。", "-"), ("别打了，我没兴趣。", "-"),
                ("东西坏了，我要退款。", "-"), ("太贵了。", "-"), ("网速太慢，真烦人。", "-"),
                ("我的账号是1234。", "0"), ("我在上海。", "0")],
    "zh_Hant": [("謝謝你，幫了大忙。", "+"), ("服務很好，我很滿意。", "+"), ("好的，我同意辦理。", "+"),
                ("價格很划算。", "+"), ("你們的客服很專業。", "+"), ("送貨很快，不錯。", "+"),
                ("太差了，等了很久。", "-"), ("我很不滿意。", "-"), ("別打了，我沒興趣。", "-"),
                ("東西壞了，我要退款。", "-"), ("太貴了。", "-"), ("網速太慢，真煩人。", "-"),
                ("我的帳號是1234。", "0"), ("我在台北。", "0")],
}
SLOW = {"th": "PyThaiNLP", "zh_Hans": "jieba", "zh_Hant": "jieba"}


def label(score: float) -> str:
    return "-" if score < NEGATIVE_BELOW else "+" if score > 0.2 else "0"


@pytest.mark.parametrize("language", [pytest.param(lang, marks=pytest.mark.slow) if lang in SLOW else lang
                                      for lang in EXAMPLES])
def test_accuracy_on_labelled_examples(language):
    examples = EXAMPLES[language]
    wrong = [(t, want, round(utterance_score(t)[0], 2)) for t, want in examples
             if label(utterance_score(t)[0]) != want]
    accuracy = 1 - len(wrong) / len(examples)
    print(f"\nsentiment accuracy, {language}: {accuracy:.0%} of {len(examples)} labelled utterances")
    assert accuracy >= 0.85, wrong


def test_negation_flips():
    assert utterance_score("good")[0] > 0.2 and utterance_score("not good")[0] < -0.2
    assert utterance_score("tốt")[0] > 0.2 and utterance_score("không tốt")[0] < -0.2


def test_language_by_script():
    assert [language_of(t) for t in ("hello", "xin chào", "สวัสดี", "你好", "Đà Nẵng")] == ["en", "vi", "th", "zh", "vi"]


def test_a_call_is_the_customer_side():
    s = call_sentiment([("agent", "This is terrible news, I'm sorry"), ("customer", "Thanks, that's great")])
    assert s.score > 0.2 and not s.negative and s.utterances == 1
    assert call_sentiment([("agent", "hello")]).score is None
    neutral = call_sentiment([("customer", "my number is 5")])
    assert neutral.score == 0.0 and not neutral.negative
