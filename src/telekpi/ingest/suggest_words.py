"""The words `mapping suggest` knows: header words for each canonical column (English,
Vietnamese, Thai, Chinese), codes for canonical values, and the code vocabularies of the
connectors telekpi ships (imported from them, defined there once)."""

from __future__ import annotations

import unicodedata

from telekpi.ingest.asterisk_cdr import STATUS_BY_DISPOSITION
from telekpi.ingest.freeswitch_cdr import STATUS_BY_CAUSE
from telekpi.ingest.queue_log_events import CALL_END
from telekpi.ingest.twilio import STATUS as TWILIO_STATUS
from telekpi.ingest.vicidial import CODES as VICIDIAL_CODES

_TIME = "time|date|datetime|timestamp|thoi gian|ngay|ngay gio|thoi diem|เวลา|วันที่|วันเวลา|时间|日期|日期时间|時間"
# Headers of a queue column: calls came in to queues, so they are inbound.
QUEUE_WORDS = "queue|queuename|queue name|hang doi|hang cho|คิว|队列|技能组|隊列"
# Canonical column → more header words for it than its name ("|"-separated; folded before use).
SYNONYMS = {
    "call_id": "callid|uniqueid|unique id|call uuid|uuid|cdr id|ma cuoc goi|id cuoc goi|รหัสการโทร|รหัสสาย|"
               "通话id|通话编号|呼叫id|话单id|通話編號",
    "started_at": "start|start time|call time|call date|calldate|thoi gian goi|bat dau|thoi gian bat dau|"
                  "เวลาโทร|เวลาเริ่ม|通话时间|开始时间|呼叫时间|通話時間|開始時間",
    "agent_id": "agent name|extension|ext|user|operator|staff|employee|nhan vien|ma nhan vien|tu van vien|"
                "dien thoai vien|telesale|พนักงาน|เจ้าหน้าที่|ตัวแทน|坐席|座席|坐席工号|工号|员工|客服|业务员|销售|專員",
    "campaign_id": "campaign name|chien dich|ma chien dich|แคมเปญ|活动|营销活动|项目|活動",
    "queue": QUEUE_WORDS,
    "lead_id": "ma khach hang|ma lead|khach hang|รหัสลูกค้า|ลูกค้า|线索id|客户id|客户编号|客户|customer phone|phone|"
               "phone number|called number|destination|dst|so dien thoai|sdt|dien thoai|เบอร์โทร|"
               "เบอร์โทรศัพท์|หมายเลขโทรศัพท์|电话|电话号码|被叫|被叫号码",
    "direction": "call type|call direction|loai cuoc goi|chieu|huong goi|ประเภทการโทร|ทิศทาง|方向|呼叫类型|呼叫方向",
    "status": "disposition|call status|result|call result|trang thai|ket qua|tinh trang|สถานะ|ผลการโทร|状态|"
              "通话状态|呼叫结果|接通状态|结果|狀態",
    "disposition": "dispo|outcome|wrap up code|result code|ket qua tu van|ket qua goi|phan loai|ma ket qua|"
                   "ผลลัพธ์|ผลการขาย|通话结果|处理结果|结果代码|小结",
    "ring_s": "ring time|ringing|do chuong|thoi gian do chuong|เวลาเรียกสาย|振铃时长|振铃时间",
    "wait_s": "wait time|waiting|hold in queue|queue time|thoi gian cho|cho|เวลารอ|เวลารอสาย|等待时长|排队时长",
    "talk_s": "talk time|billsec|duration|call duration|length|conversation|thoi luong|thoi luong goi|"
              "thoi gian dam thoai|thoi gian thoai|ระยะเวลา|ระยะเวลาการโทร|เวลาสนทนา|通话时长|时长|通話時長",
    "hold_s": "hold time|giu may|thoi gian giu may|พักสาย|保持时长",
    "wrap_s": "wrap up|wrap time|acw|after call work|xu ly sau cuoc goi|หลังการโทร|话后处理|整理时长",
    "script": "kich ban|สคริปต์|话术",
    "mos": "call quality|chat luong|คุณภาพเสียง|通话质量",
    "recording_url": "recording|record|ghi am|file ghi am|link ghi am|บันทึกเสียง|ไฟล์เสียง|录音|录音地址|录音文件",
    "created_at": "create date|creation date|ngay tao|thoi gian tao|ngay nhan|วันที่สร้าง|创建时间|录入时间",
    "source": "lead source|channel|nguon|kenh|ที่มา|แหล่งที่มา|ช่องทาง|来源|渠道",
    "segment": "phan khuc|nhom khach hang|กลุ่มลูกค้า|客户分类|客户等级|分组",
    "customer_id": "ma khach hang|รหัสลูกค้า|客户编号",
    "name": "full name|ho ten|ho va ten|ten|ten khach hang|ชื่อ|ชื่อลูกค้า|ชื่อ นามสกุล|姓名|名称|客户名称",
    "phone": "phone number|mobile|so dien thoai|sdt|dien thoai|เบอร์โทร|เบอร์โทรศัพท์|หมายเลขโทรศัพท์|电话|手机|"
             "手机号|电话号码",
    "order_id": "order no|ma don|ma don hang|so don hang|เลขที่คำสั่งซื้อ|订单号|订单编号",
    "ordered_at": "order date|ngay dat|ngay dat hang|thoi gian dat hang|วันที่สั่งซื้อ|下单时间|订单时间",
    "amount": "total|revenue|value|price|thanh tien|doanh thu|tong tien|gia tri|so tien|ยอดเงิน|ยอดขาย|"
              "จำนวนเงิน|金额|订单金额|总金额",
    "product": "san pham|goi|สินค้า|ผลิตภัณฑ์|产品|商品",
    "team_id": "nhom|doi|ทีม|团队|组",
    "vendor": "partner|doi tac|nha cung cap|外包商|供应商",
    "supervisor_id": "giam sat|truong nhom|หัวหน้า|主管",
    "hired_on": "hire date|hired|ngay vao lam|วันที่เริ่มงาน|入职日期",
    "period_end": "covers until|valid until|period to|den ngay|ngay ket thuc|สิ้นสุดงวด|ถึงวันที่|截止日期|"
                  "结束日期|結束日期",
}
# Canonical value → more codes exports use for it.
VALUES = {
    "answered": "answer|connected|success|successful|ok|thanh cong|da nghe|nghe may|co nghe|ket noi|รับสาย|"
                "สำเร็จ|ติดต่อได้|接通|已接通|已接|成功",
    "no_answer": "noanswer|not answered|missed|unanswered|khong nghe may|khong bat may|khong tra loi|"
                 "ko nghe may|khong nghe|ไม่รับสาย|ไม่มีผู้รับสาย|未接|未接通|无人接听|無人接聽",
    "busy": "may ban|ban|thue bao ban|สายไม่ว่าง|忙|忙线|占线",
    "failed": "fail|failure|congestion|error|invalid|chanunavail|loi|that bai|so khong ton tai|sai so|"
              "khong lien lac duoc|ล้มเหลว|เบอร์ผิด|ติดต่อไม่ได้|失败|空号|关机|停机",
    "voicemail": "voice mail|hop thu thoai|ฝากข้อความ|语音信箱",
    "abandoned": "abandon|bo cuoc|khach cup may|ทิ้งสาย|放弃",
    "outbound": "out|outgoing|outbound call|goi ra|goi di|โทรออก|呼出|外呼",
    "inbound": "in|incoming|inbound call|goi vao|goi den|โทรเข้า|呼入",
    "completed": "complete|done|paid|success|thanh cong|hoan thanh|da thanh toan|สำเร็จ|已完成|完成|已支付",
    "cancelled": "cancel|canceled|huy|da huy|ยกเลิก|已取消|取消",
    "refunded": "refund|hoan tien|คืนเงิน|已退款|退款",
}
# Default disposition code → more words for it.
DISPOSITIONS = {
    "SALE": "sold|won|closed|chot|chot don|dong y mua|da mua|ขายได้|ปิดการขาย|成交|已成交|购买",
    "APPOINTMENT": "meeting|hen gap|dat lich|นัดหมาย|预约",
    "QUALIFIED": "interested|quan tam|tiem nang|สนใจ|有意向|意向客户",
    "CALLBACK": "call back|goi lai|hen goi lai|โทรกลับ|回拨|再联系",
    "NI": "not interested|khong quan tam|tu choi|ไม่สนใจ|不感兴趣|拒绝",
    "GATEKEEPER": "thu ky|le tan|nguoi nha|前台",
    "WRONG_NUMBER": "nham so|sai so|เบอร์ผิด|打错|错号",
    "DNC": "do not call|khong goi lai|dung goi|ห้ามโทร|勿扰",
}
# Whole codes the connectors read, → canonical status (compared case-insensitively). VICIdial's
# one- and two-letter codes (A, B, N, PU…) are left out: outside VICIdial they are grades and flags;
# so are its agents' results (SALE, CALLBK…): they are dispositions.
CONNECTOR_STATUSES: dict[str, str] = {
    **{code: status for code, (status, result) in VICIDIAL_CODES.items() if len(code) > 2 and result is None},
    **STATUS_BY_CAUSE, **CALL_END, **TWILIO_STATUS, **STATUS_BY_DISPOSITION,
    # inbound call-centre reports: who ended the call (whole codes only: "hang" is in Vietnamese words)
    "AGENT": "answered", "HANG": "abandoned", "HANGUP": "abandoned", "CALLER HANGUP": "abandoned",
    "IVR HANGUP": "abandoned", "TIMEOUT": "no_answer",
}
# Call-centre report codes for rows that are not calls (no caller on the line, test calls):
# suggest proposes a `skip` rule for them rather than a status.
NOT_CALLS = "phantom|ghost call|test call|cuoc goi ao|สายหลอก|幽灵呼叫"
UNIT_WORDS = {"ms": "ms|msec|millisecond|milliseconds|mili|毫秒|มิลลิวินาที",
              "min": "min|mins|minute|minutes|phut|分钟|分|นาที", "h": "h|hour|hours|gio|小时|ชั่วโมง",
              "s": "s|sec|secs|second|seconds|giay|秒|วินาที"}


# Texts database dumps write for an empty cell.
NULL_TEXTS = ("NULL", "\\N", "(null)")


def fold(text: str) -> str:
    """Lower case, Latin accents and punctuation dropped: 'Thời gian (ms)' → 'thoi gian ms'."""
    t = unicodedata.normalize("NFD", str(text).casefold().replace("đ", "d"))
    t = "".join(" " if not (c.isalnum() or unicodedata.category(c).startswith("M")) else c
                for c in t if not "\u0300" <= c <= "\u036f")
    return " ".join(unicodedata.normalize("NFC", t).split())


def _words(spec: str) -> list[str]:
    return [w for w in (fold(w) for w in spec.split("|")) if w]


def _score(text: str, words: list[str]) -> tuple[int, str | None]:
    """How well folded ``text`` matches: 150 - rank for an equal word, else the longest contained word's length."""
    best: tuple[int, str | None] = (0, None)
    for i, w in enumerate(words):
        if text == w or text.replace(" ", "") == w.replace(" ", ""):
            return 150 - min(i, 40), w
        if (f" {w} " in f" {text} " or (not w.isascii() and w in text)) and len(w) > best[0]:
            best = (len(w), w)
    return best


def best_match(value: str, table: dict[str, str]) -> str | None:
    """The key of ``table`` whose words match ``value`` best."""
    v = fold(value)
    n, key = max(((_score(v, [fold(k)] + _words(spec))[0], k) for k, spec in table.items()), default=(0, None))
    return key if n else None


