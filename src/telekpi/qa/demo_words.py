"""Transcripts for the demo centre and for the QA benchmark: calls made of a few template
lines per language, Vietnamese for outbound sales and English for inbound care (the
languages of the two example forms), so the QA page, the call view and the new metrics
have something to show.

Each agent skips the steps of the call at rates of their own (some rarely ask the needs
questions: "which agent's discovery questions are missing"), and the customer's lines are
positive, neutral or negative, more positive when the call's survey says satisfied, so the
predicted CSAT has something to learn."""

from __future__ import annotations

import hashlib
import random

VI_AGENT = {
    "greeting": ["Alo, em chào anh ạ", "Xin chào chị, em gọi từ công ty Minh An ạ", "Em chào chị ạ"],
    "agent_name": ["Em tên là {name} ạ", "Em là {name} bên công ty Minh An"],
    "recording_disclosure": ["Cuộc gọi này được ghi âm để đảm bảo chất lượng dịch vụ ạ"],
    "permission": ["Anh chị có vài phút nói chuyện không ạ?"],
    "needs_questions": ["Cho em hỏi hiện tại anh chị đang dùng sản phẩm nào ạ?",
                        "Anh chị có nhu cầu tìm hiểu thêm về bảo hiểm không ạ?"],
    "offer": ["Bên em đang có chương trình ưu đãi giảm giá hai mươi phần trăm ạ",
              "Gói sản phẩm này tháng này có khuyến mãi ạ"],
    "ask_for_order": ["Em lên đơn cho anh chị luôn nhé?", "Anh chị đăng ký luôn hôm nay nhé?"],
    "closing": ["Cảm ơn anh chị đã dành thời gian, chúc anh chị một ngày tốt lành"],
}
EN_AGENT = {
    "greeting": ["Good morning, thank you for calling Minh An support", "Thank you for calling, how can I help?"],
    "agent_name": ["My name is {name}", "This is {name} speaking"],
    "recording_disclosure": ["This call may be recorded for quality purposes"],
    "verify_identity": ["Can you confirm your account number please?", "Could you verify your date of birth?"],
    "needs_questions": ["Can you tell me more about the problem?", "When did this start?"],
    "empathy": ["I understand, I'm sorry to hear that", "Sorry for the inconvenience"],
    "resolution": ["I have fixed the setting on your account", "I've updated your plan, your ticket number is 4521"],
    "anything_else": ["Is there anything else I can help with?"],
    "closing": ["Thank you for calling, have a nice day", "Have a great day, goodbye"],
}
CUSTOMER = {
    "vi": {"+": ["Ừ được em, nghe cũng hay đấy", "Ok em, chị đồng ý", "Cảm ơn em nhiều nhé", "Giá vậy là hợp lý"],
           "0": ["Em nói đi", "Sản phẩm gì vậy em?", "Để chị suy nghĩ đã", "Vâng"],
           "-": ["Chị đang bận lắm", "Đắt quá em ơi", "Anh không quan tâm đâu", "Đừng gọi nữa nhé, bực mình quá",
                 "Chị không hài lòng với bên em"]},
    "en": {"+": ["Great, thank you so much", "That was really helpful", "Perfect, it works now", "Thanks, I'm happy"],
           "0": ["Hi, I'm calling about my bill", "It's account 4521", "Okay", "Since Monday"],
           "-": ["This is the worst service, I've been waiting for an hour", "I'm very disappointed",
                 "It still doesn't work, this is ridiculous", "I want a refund"]},
}
FORBIDDEN = {"vi": "Anh chị phải mua ngay hôm nay", "en": "Calm down, that's not my problem"}


def agent_habits(agent_id: str) -> dict[str, float]:
    """How often this agent skips each step (seeded by the agent's id)."""
    rnd = random.Random(int(hashlib.sha256(agent_id.encode()).hexdigest()[:8], 16))
    habits = {step: rnd.choice([0.02, 0.05, 0.1]) for step in (*VI_AGENT, *EN_AGENT)}
    habits["needs_questions"] = rnd.choice([0.05, 0.1, 0.2, 0.45])   # the skill that varies most
    habits["forbidden"] = rnd.choice([0.0, 0.01, 0.04])
    return habits


def transcript(rnd: random.Random, language: str, agent_id: str, agent_name: str,
               satisfied: bool | None) -> list[tuple[str, float, float, str]]:
    """(speaker, start_s, end_s, text) of one call."""
    habits = agent_habits(agent_id)
    steps = VI_AGENT if language == "vi" else EN_AGENT
    mood = ({True: (0.75, 0.2), False: (0.1, 0.3), None: (0.5, 0.3)})[satisfied]
    out: list[tuple[str, float, float, str]] = []
    t = rnd.uniform(0.3, 2.0)

    def say(speaker: str, text: str) -> None:
        nonlocal t
        length = 0.8 + 0.32 * len(text.split())
        out.append((speaker, round(t, 2), round(t + length, 2), text))
        t += length + rnd.uniform(0.2, 1.5)

    for step, lines in steps.items():
        if rnd.random() < habits[step]:
            continue
        say("agent", rnd.choice(lines).format(name=agent_name))
        if step in ("greeting", "needs_questions", "offer", "resolution", "ask_for_order"):
            r = rnd.random()
            say("customer", rnd.choice(CUSTOMER[language]["+" if r < mood[0] else "0" if r < sum(mood) else "-"]))
        if step == "offer" and rnd.random() < habits["forbidden"]:
            say("agent", FORBIDDEN[language])
    return out


def add_to_demo(wh, seed: int, share: float = 0.05, *, audio_dir=None, channel_for=None) -> dict[str, int]:
    """Transcripts for the demo's surveyed calls and ``share`` of its other answered calls,
    scored on both example forms, with the customer's sentiment and (when its surveys
    suffice) the predicted CSAT; rows written per table. With ``audio_dir`` and espeak-ng
    installed, a few of those calls are also spoken into WAV files there (``demo_audio.py``;
    the agent on the channel ``channel_for(path)`` says), their transcripts timed to the audio."""
    from contextlib import suppress
    from importlib import resources

    from telekpi.errors import InputError
    from telekpi.qa.csat import learn
    from telekpi.qa.forms import load_form
    from telekpi.qa.run import run_form
    from telekpi.store import transcript_store as store

    rnd = random.Random(seed * 31 + 25)
    calls = wh.con.execute(
        "SELECT c.call_id, c.agent_id, coalesce(a.name, c.agent_id), c.direction, "
        "(SELECT max(CASE WHEN s.score >= 0.8 * s.scale_max THEN 1 ELSE 0 END) FROM surveys s "
        " WHERE s.call_id = c.call_id) FROM calls c LEFT JOIN agents a ON a.agent_id = c.agent_id "
        "WHERE c.status = 'answered' AND c.talk_s >= 30 AND c.agent_id IS NOT NULL ORDER BY c.call_id").fetchall()
    rows, files = [], []
    now = store.now()
    spoken: dict[str, tuple[str, list]] = {}
    for call_id, agent_id, name, direction, satisfied in calls:
        if satisfied is None and rnd.random() >= share:
            continue
        language = "en" if direction == "inbound" else "vi"
        spoken[call_id] = (language, transcript(rnd, language, agent_id, name.split()[-1],
                                                None if satisfied is None else bool(satisfied)))
    if audio_dir is not None:
        from telekpi.qa import demo_audio

        if demo_audio.available():
            chosen = demo_audio.pick([(c, lang) for c, (lang, _s) in spoken.items()], random.Random(seed * 5 + 3))
            laid, _files = demo_audio.write({c: spoken[c] for c in chosen}, audio_dir, seed,
                                            channel_for or (lambda _path: "left"))
            spoken |= {c: (spoken[c][0], said) for c, said in laid.items()}
    for call_id, (_language, said) in spoken.items():
        digest = hashlib.sha256(repr(said).encode()).hexdigest()
        rows += [(call_id, n, s, a, b, text, None, "demo") for n, (s, a, b, text) in enumerate(said, 1)]
        files.append((call_id, "demo", "demo", digest, len(said), now))
    store._insert(wh.con, "transcripts", rows)
    store._insert(wh.con, "transcript_files", files)
    for name in ("outbound-sales-vi.yaml", "inbound-care-en.yaml"):
        with resources.as_file(resources.files("telekpi.qa").joinpath(f"examples/{name}")) as path:
            run_form(wh, load_form(path))
    with suppress(InputError):   # a demo too small to learn from keeps predicted CSAT empty, as a centre's would
        learn(wh)
    return {t: wh.count(t) for t in ("transcripts", "qa_results", "call_sentiment")}
