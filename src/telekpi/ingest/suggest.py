"""Propose a mapping file (docs/import.md) for an export from its header and sample values.

Columns match by name (case, accents, punctuation ignored) the canonical names and synonyms in
English, Vietnamese, Thai and Chinese; values decide the time layout, duration unit and how codes
map onto canonical values. Every guess gets a comment, every unmatched required column a TODO line.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import re
import statistics
import unicodedata
from collections import Counter, namedtuple
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import cast

from telekpi.errors import InputError
from telekpi.i18n import _
from telekpi.ingest.csv_file import CsvSource
from telekpi.ingest.registry import detect_format, read_head
from telekpi.ingest.source import ReadOptions, Source
from telekpi.model.tables import TABLES, Table
from telekpi.model.tables import table as canonical_table

SAMPLE_ROWS = 500
YAML_WORDS = ("yes", "no", "on", "off", "y", "n", "null", "true", "false")
MAX_TITLE_ROWS = 5
_TIME = "time|date|datetime|timestamp|thoi gian|ngay|ngay gio|thoi diem|เวลา|วันที่|วันเวลา|时间|日期|日期时间|時間"
# Canonical column → more header words for it than its name ("|"-separated; folded before use).
SYNONYMS = {
    "call_id": "callid|uniqueid|unique id|call uuid|uuid|cdr id|ma cuoc goi|id cuoc goi|รหัสการโทร|รหัสสาย|"
               "通话id|通话编号|呼叫id|话单id|通話編號",
    "started_at": "start|start time|call time|call date|calldate|thoi gian goi|bat dau|thoi gian bat dau|"
                  "เวลาโทร|เวลาเริ่ม|通话时间|开始时间|呼叫时间|通話時間|開始時間",
    "agent_id": "agent name|extension|ext|user|operator|staff|employee|nhan vien|ma nhan vien|tu van vien|"
                "dien thoai vien|telesale|พนักงาน|เจ้าหน้าที่|ตัวแทน|坐席|座席|坐席工号|工号|员工|客服|业务员|销售|專員",
    "campaign_id": "campaign name|chien dich|ma chien dich|แคมเปญ|活动|营销活动|项目|活動",
    "lead_id": "ma khach hang|ma lead|khach hang|รหัสลูกค้า|ลูกค้า|线索id|客户id|客户编号|客户|customer phone|phone|"
               "phone number|called number|destination|dst|so dien thoai|sdt|dien thoai|เบอร์โทร|"
               "เบอร์โทรศัพท์|หมายเลขโทรศัพท์|电话|电话号码|被叫|被叫号码",
    "direction": "call type|call direction|loai cuoc goi|chieu|huong goi|ประเภทการโทร|ทิศทาง|方向|呼叫类型|呼叫方向",
    "status": "disposition|call status|result|call result|trang thai|ket qua|tinh trang|สถานะ|ผลการโทร|状态|"
              "通话状态|呼叫结果|接通状态|结果|狀態",
    "disposition": "dispo|outcome|wrap up code|result code|ket qua tu van|ket qua goi|phan loai|ma ket qua|"
                   "ผลลัพธ์|ผลการขาย|通话结果|处理结果|结果代码|小结",
    "ring_s": "ring time|ringing|do chuong|thoi gian do chuong|เวลาเรียกสาย|振铃时长|振铃时间",
    "wait_s": "wait time|queue time|thoi gian cho|cho|เวลารอ|เวลารอสาย|等待时长|排队时长",
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
TIME_FORMATS = (
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%H:%M:%S %d/%m/%Y", "%H:%M %d/%m/%Y", "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M", "%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y", "%m/%d/%Y",
    "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d")
ISO = re.compile(r"^\d{4}-\d\d-\d\d([ T]\d\d:\d\d(:\d\d(\.\d+)?)?)?\s*(Z|[+-]\d\d(:?\d\d)?)?$")
CLOCK = re.compile(r"^\d+:\d{1,2}(:\d{1,2}(\.\d+)?)?$")
CURRENCY = r"\s|₫|VNĐ|VND|đ|฿|THB|¥|CNY|RMB|US\$|USD|\$|€"
UNIT_WORDS = {"ms": "ms|msec|millisecond|milliseconds|mili|毫秒|มิลลิวินาที",
              "min": "min|mins|minute|minutes|phut|分钟|分|นาที", "h": "h|hour|hours|gio|小时|ชั่วโมง",
              "s": "s|sec|secs|second|seconds|giay|秒|วินาที"}


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


Guess = namedtuple("Guess", "target rule why todo")   # a column's YAML rule, its reasons, what to check


@dataclass
class Suggestion:
    table: str
    why_table: str
    read: dict                   # top-level keys: skip_rows, csv
    notes: list[str]
    guesses: list[Guess]
    missing: dict[str, str]      # required canonical columns nothing matched → what to do
    unused: list[str]            # file columns nothing reads

    def yaml(self, source: str) -> str:
        intro = _("Suggested by `telekpi mapping suggest` for {source}. Every guess is explained;\n"
                  "check them (and the TODO lines) before importing.").format(source=source)
        out = [f"# {line}" for line in intro.splitlines()] + \
            [f"table: {self.table}    # {self.why_table}"] + [f"# {n}" for n in self.notes]
        out += [f"{k}: {_flow(v) if isinstance(v, dict) else _q(v)}" for k, v in self.read.items()]
        out.append("columns:")
        for g in self.guesses:
            out += [f"  # {w}" for w in g.why]
            values = g.rule.get("values")
            if values is None and not g.todo:
                out.append(f"  {g.target}: {_flow(g.rule)}")
                continue
            out.append(f"  {g.target}:")
            out += [f"    {k}: {_q(v)}" for k, v in g.rule.items() if k != "values"]
            if values:
                out += ["    values:"] + [f"      {_q(k)}: {_q(v)}" for k, v in values.items()]
            out += [f"    # TODO {t}" for t in g.todo]
        out += ["  # TODO " + _("{column} is required and no column of the file matched it; {todo}").format(
            column=col, todo=todo) for col, todo in self.missing.items()]
        if self.unused:
            out.append("# " + _("Not used (nothing matched their names): {columns}").format(
                columns=", ".join(json.dumps(u, ensure_ascii=False) for u in self.unused)))
        return "\n".join(out) + "\n"


def _q(v) -> str:
    """A YAML scalar: plain when it is a number or a safe word, else double-quoted."""
    plain = isinstance(v, int) or (re.fullmatch(r"[a-z_][a-z0-9_]*", v) and v not in YAML_WORDS)
    return str(v) if plain else json.dumps(v, ensure_ascii=False)


def _flow(rule: dict) -> str:
    return _q(rule["column"]) if set(rule) == {"column"} else \
        "{" + ", ".join(f"{k}: {_q(v)}" for k, v in rule.items()) + "}"


def guess_encoding(head: bytes) -> str | None:
    """None for UTF-8 (or a byte-order mark); else the likeliest of cp874, gb18030, cp1258."""
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    for enc, script in (("utf-8", ""), ("cp874", "[\u0e00-\u0e7f]"), ("gb18030", "[\u4e00-\u9fff]")):
        with contextlib.suppress(UnicodeDecodeError):
            if re.search(script, codecs.getincrementaldecoder(enc)().decode(head, final=False)):
                return None if enc == "utf-8" else enc
    return "cp1258"


def _year(value: str, fmt: str) -> int | None:
    try:
        return datetime.strptime(value, fmt).year
    except ValueError:
        return None


def detect_time(values: list[str], header: str = "") -> tuple[str | None, list[str]] | None:
    """(format, or None for ISO; notes), or None when the values are not times."""
    if not values:
        return None, [_("no values in the sample to tell the time layout")]
    enough = 0.9 * len(values)
    if sum(1 for v in values if ISO.match(v)) >= enough:
        return None, [_("ISO times like {value}: read as they are").format(value=repr(values[0]))]
    if all(v.isdigit() and len(v) in (10, 13) for v in values):
        fmt = "epoch" if len(values[0]) == 10 else "epoch_ms"
        why = _("numbers like {value} are Unix times in seconds") if fmt == "epoch" else \
            _("numbers like {value} are Unix times in ms")
        return fmt, [why.format(value=values[0])]
    fits = [(f, ys) for f in TIME_FORMATS if len(ys := [y for v in values if (y := _year(v, f))]) >= enough]
    if not fits:
        return None
    fmt, years = fits[0]
    notes = [_("values like {value} read as {format}").format(value=repr(values[0]), format=fmt)]
    if (swapped := fmt.replace("%d", "%D").replace("%m", "%d").replace("%D", "%m")) != fmt and \
            any(f == swapped for f, _ in fits):
        notes.append(_("no day above 12 in the sample, so day/month order is a guess (day first here)"))
    if max(years) > 2400:
        notes.append(_("years like {year} look Buddhist Era (subtract 543): convert them before importing").format(
            year=max(years)))
    return fmt, notes


def detect_seconds(values: list[str], header: str = "") -> tuple[dict, list[str]] | None:
    """(rule keys such as unit, notes) for a duration column, or None when the values are not durations."""
    if values and all(CLOCK.match(v) for v in values):
        return {}, [_("durations like {value} (h:mm:ss or m:ss): read as they are").format(value=repr(values[0]))]
    nums = [float(v.replace(",", ".")) for v in values if re.fullmatch(r"-?\d+([.,]\d+)?", v)]
    if len(nums) < 0.9 * len(values):
        return None
    keys = {"decimal": ","} if any("," in v for v in values) else {}
    for unit in ("ms", "min", "h", "s"):
        if _score(fold(header), _words(UNIT_WORDS[unit]))[0]:
            return ({"unit": unit} if unit != "s" else {}) | keys, [_("the header says {unit}").format(unit=unit)]
    positive = [n for n in nums if n > 0]
    if positive and (median := statistics.median(positive)) > 7200:
        return {"unit": "ms"} | keys, [_("median {median} is over two hours as seconds, so milliseconds").format(
            median=f"{median:g}")]
    return keys, [_("numbers of seconds")]


def detect_money(values: list[str], header: str = "") -> tuple[dict, list[str]] | None:
    """(thousands/decimal keys, notes) for amounts, or None when the values are not amounts."""
    cleaned = [c for c in (re.sub(CURRENCY, "", v) for v in values) if c]
    for sep, dec in ((".", ","), (",", ".")):
        grouped, plain = rf"-?\d{{1,3}}(\{sep}\d{{3}})+(\{dec}\d+)?", rf"-?\d+(\{dec}\d+)?"
        if any(re.fullmatch(grouped, c) for c in cleaned) and \
                all(re.fullmatch(grouped, c) or re.fullmatch(plain, c) for c in cleaned):
            return {"thousands": sep} | ({"decimal": dec} if dec != "." else {}), \
                [_("amounts like {value}: {separator} groups thousands").format(value=repr(values[0]),
                                                                                separator=repr(sep))]
    return ({}, []) if all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in cleaned) else None


# Column type → (values, header) → (rule keys or a format, notes), or None when the values do not fit.
DETECT = {"timestamp": detect_time, "date": detect_time, "seconds": detect_seconds, "money": detect_money,
          "double": detect_money, "int": detect_money}


def sample(path: Path, table: str | None = None, encoding: str | None = None):
    """(format, top-level mapping keys, header, {column: non-empty sample values}, notes) of ``path``."""
    fmt = detect_format(path)
    if fmt.mapping:
        raise InputError(_("is in the {format} format, which telekpi maps already; import it as it is "
                           "(a --mapping there overrides single columns)").format(format=fmt.name), file=str(path))
    notes, base = [], ReadOptions(table=table)
    if fmt.name == "csv":
        enc = encoding or guess_encoding(read_head(path))
        if enc and not encoding:
            notes.append(_("the file is not UTF-8; {encoding} is a guess (others: cp1258 Vietnamese, cp874 Thai, "
                           "gb18030 / big5 Chinese): check that the names below read right").format(encoding=enc))
        base = replace(base, encoding=enc)
    best: tuple[int, Source | None, int] = (0, None, 0)
    error: InputError | None = None
    for skip in range(MAX_TITLE_ROWS + 1):   # title lines above the header: the header names most columns
        try:
            src = fmt.open(path, replace(base, skip_rows=skip))
        except InputError as e:
            error = error or e
            continue
        named = sum(1 for c in src.columns if not re.fullmatch(r"column \d+", c))
        (best, dropped) = ((named, src, skip), best[1]) if best[1] is None or named > best[0] else (best, src)
        if dropped is not None:
            dropped.close()
    if best[1] is None:
        raise cast(InputError, error)   # no skip could be opened: each raised an InputError
    src, skip = best[1], best[2]
    rows: dict[str, list[str]] = {c: [] for c in src.columns}
    n = 0
    try:
        for batch in src.batches():
            part = batch.table.slice(0, SAMPLE_ROWS - n)
            for name, col in zip(part.column_names, part.columns, strict=True):
                rows[name] += [v.strip() for v in col.to_pylist() if v and v.strip()]
            if (n := n + part.num_rows) >= SAMPLE_ROWS:
                break
    finally:
        src.close()
    delimiter = src.delimiter if isinstance(src, CsvSource) else ","
    csv_opts = {k: v for k, v in (("delimiter", delimiter), ("encoding", base.encoding)) if v and v != ","}
    read = ({"skip_rows": skip} if skip else {}) | ({"csv": csv_opts} if fmt.name == "csv" and csv_opts else {})
    if skip:
        notes.append(_("{n} title line(s) above the header are skipped").format(n=skip))
    if n == 0:
        notes.append(_("the file has no data rows: guesses come from the header alone"))
    return fmt.name, read, src.columns, rows, notes


def _fits(col, values: list[str]) -> bool:
    values = values[:100]
    if col.type in DETECT:
        return DETECT[col.type](values) is not None
    if col.name == "status" and values:   # the codes must be statuses (else it is a disposition)
        words = {k: VALUES.get(k, "") for k in col.choices}
        return sum(best_match(v, words) is not None for v in values) >= 0.5 * len(values)
    return True


def match_columns(t: Table, header: list[str], rows: dict[str, list[str]]):
    """(score, {target: (file column, matched word or None)}): by name, the values vetoing misfits."""
    cands = []
    for col in t.columns:
        words = [fold(col.name), fold(re.sub(r"_(id|s|at)$", "", col.name))] + \
            _words(SYNONYMS.get(col.name, "")) + (_words(_TIME) if col.name == t.time else [])
        for h in header:
            n, w = _score(fold(h), words)
            if n and _fits(col, rows[h]):
                cands.append((n + (5 if col.required else 0), col.name, h, w))
    chosen, used, score = {}, set(), 0
    for n, target, h, w in sorted(cands, key=lambda c: -c[0]):
        if target not in chosen and h not in used:
            chosen[target], score = (h, w), score + n
            used.add(h)
    # A required time or status no header named: the first column whose values fit.
    for col in (c for c in t.columns if c.required and c.name not in chosen and (c.type != "string" or c.choices)):
        if fit := next((h for h in header if h not in used and rows[h] and _fits(col, rows[h])), None):
            chosen[col.name], score = (fit, None), score + 10
            used.add(fit)
    score -= 60 * sum(1 for c in t.required if c not in chosen and t.column(c).default is None)
    return score, chosen


def _choice_values(col, values: list[str], g: Guess) -> None:
    words = DISPOSITIONS if col.name == "disposition" else {k: VALUES.get(k, "") for k in col.choices}
    mapped, unknown = {}, []
    for v, n in Counter(values).most_common(40):
        canon = best_match(v, words)
        if canon is None:
            unknown.append((v, n))
        elif v.strip().casefold() != canon.casefold():   # the importer compares codes trimmed, any case
            mapped[v] = canon
    if mapped:
        g.rule["values"] = mapped
        g.why.append(_("codes mapped by their words onto {values}").format(
            values=", ".join(sorted(set(mapped.values())))))
    for v, n in unknown:
        todo = _("{value} ({n} of {total} sampled) fits no default code: it is kept and flags nothing; "
                 "map it here or in telekpi.toml [dispositions]") if col.name == "disposition" else \
            _("{value} ({n} of {total} sampled) is not {choices}: map it here or its rows are quarantined")
        g.todo.append(todo.format(value=repr(v), n=n, total=len(values), choices=", ".join(col.choices or ())))


def suggest(path: Path, table: str | None = None, encoding: str | None = None) -> Suggestion:
    """A mapping for ``path`` onto ``table`` (guessed when None)."""
    fmt, read, header, rows, notes = sample(path, table, encoding)
    if table is not None:
        t, why_table = canonical_table(table), _("as asked")
        __, chosen = match_columns(t, header, rows)
    else:
        scored = sorted(((match_columns(t, header, rows), i, t) for i, t in enumerate(TABLES.values())),
                        key=lambda s: (-s[0][0], s[1]))
        (__, chosen), __, t = scored[0]
        why_table = _("guessed: {n} of its columns found (next best: {table}); pass --table to choose").format(
            n=len(chosen), table=scored[1][2].name)
    guesses = []
    for col in (c for c in t.columns if c.name in chosen):
        h, w = chosen[col.name]
        how = _("{header} → {column}: its values fit (no header named it)") if w is None else \
            _("{header} → {column}: same name") if w == fold(col.name) else \
            _("{header} → {column}: header word {word}")
        why = how.format(header=repr(h), column=col.name, word=repr(w))
        g, values = Guess(col.name, {"column": h}, [why], []), rows[h][:200]
        if col.type in DETECT:
            keys, reasons = DETECT[col.type](values, h) or ({}, [])
            g.rule.update({"format": keys} if isinstance(keys, str) else keys or {})
            g.why.extend(reasons)
        elif col.name == "disposition" or col.choices:
            _choice_values(col, values, g)
        guesses.append(g)
    stem = re.sub(r"[^\w.-]", "_", path.stem)
    missing = {c: _("map it, e.g.  {example}  or, the file having no id, its line number:  {line_example}").format(
        example=f"{c}: {{column: \"…\"}}", line_example=f"{c}: {{template: \"{stem}-{{__line}}\"}}")
        if (c,) == t.key else _("map it, e.g.  {example}").format(example=f"{c}: {{column: \"…\"}}")
        for c in t.required if c not in chosen and t.column(c).default is None}
    used = {h for h, _ in chosen.values()}
    return Suggestion(t.name, why_table, read, [_("read as {format}").format(format=fmt)] + notes, guesses, missing,
                      [h for h in header if h not in used])
