"""The demo centre's fixed cast: teams, agents, campaigns and the period.

Numbers here are chosen so the KPIs land where the seeds say a real centre
sits: retail call conversion 25–35 %, insurance 10–15 %, one campaign whose
dialer drops more than 3 % of live answers, one campaign that loses money, an
outsourced vendor that is slower to call new leads, a team with low CSAT.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

START = dt.date(2026, 9, 1)
END = dt.date(2026, 11, 30)          # inclusive: three months
DAYS = (END - START).days + 1
BASE_US = int((dt.datetime.combine(START, dt.time()) - dt.datetime(1970, 1, 1)).total_seconds()) * 1_000_000

SIZES = {"small": 15_000, "medium": 290_000, "large": 2_900_000}   # leads; ~3.5 calls each
AGENTS = {"small": 16, "medium": 140, "large": 1300}   # ~100 dials per agent-day at medium
CALLS_PER_LEAD = 3.45      # outbound dials and inbound calls together, per lead (measured)
LEADS_PER_AGENT = 2100


def scale(size: str | None = None, calls: int | None = None) -> tuple[int, int]:
    """(leads, agents) for a named size, or for about ``calls`` calls in all."""
    if calls is not None:
        if calls < 1000:
            raise ValueError("calls must be at least 1000")
        leads = round(calls / CALLS_PER_LEAD)
        return leads, max(AGENTS["small"], round(leads / LEADS_PER_AGENT))
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    return SIZES[size], AGENTS[size]

# Family, middle and given names; the middle and given lists are (men's, women's).
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
          "Hồ", "Ngô", "Dương", "Lý")
FAMILY_P = (0.31, 0.11, 0.095, 0.07, 0.051, 0.051, 0.045, 0.039, 0.039, 0.021, 0.02, 0.014,
            0.013, 0.013, 0.01, 0.005)
MIDDLE = (("Văn", "Minh", "Quốc", "Đức", "Hữu", "Thanh", "Gia"),
          ("Thị", "Ngọc", "Thu", "Thanh", "Hoài", "Kim", "Bảo"))
GIVEN = (("An", "Bình", "Dũng", "Hùng", "Huy", "Khang", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tuấn",
          "Thắng", "Trung", "Việt", "Hải"),
         ("Anh", "Châu", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhung", "Phương", "Tâm",
          "Thảo", "Trang", "Vy", "Yến"))


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Vietnamese full names (family, middle, given), men and women alike, vectorised."""
    woman = rng.random(n) < 0.5
    fam = np.array(FAMILY)[rng.choice(len(FAMILY), n, p=np.array(FAMILY_P) / sum(FAMILY_P))]
    mid = np.where(woman, np.array(MIDDLE[1])[rng.integers(0, len(MIDDLE[1]), n)],
                   np.array(MIDDLE[0])[rng.integers(0, len(MIDDLE[0]), n)])
    giv = np.where(woman, np.array(GIVEN[1])[rng.integers(0, len(GIVEN[1]), n)],
                   np.array(GIVEN[0])[rng.integers(0, len(GIVEN[0]), n)])
    return np.char.add(np.char.add(np.char.add(fam, " "), np.char.add(mid, " ")), giv)


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    site: str
    vendor: str | None
    speed: float        # multiplies the delay before a new lead's first call
    csat_top2: float    # share of 4–5 scores
    qualify: float      # multiplies the chance a decision maker qualifies
    close: float = 1.0  # multiplies the chance a qualified prospect says yes (the rest stay "qualified")


TEAMS = (
    Team("T1", "Hà Nội Sales", "in_house", None, 1.0, 0.84, 1.0),
    Team("T2", "Sài Gòn Sales", "in_house", None, 0.8, 0.82, 1.05),
    Team("T3", "Đà Nẵng Sales", "in_house", None, 1.2, 0.80, 1.0, 0.7),
    Team("T4", "CSKH (chăm sóc khách hàng)", "in_house", None, 1.0, 0.86, 1.0),
    Team("T5", "CallPro Outsourcing", "outsourced", "CallPro Outsourcing", 3.0, 0.62, 0.42),
)


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    industry: str
    product: str
    price: float        # VND per unit
    weight: float       # share of leads
    connect: float      # base chance a dial is answered
    dm: float           # chance an answer reaches the decision maker
    success: float      # chance a decision maker says yes (sale or appointment)
    appointment: float  # share of successes that are appointments, not sales
    drop: float         # share of live answers the predictive dialer drops
    teams: tuple[str, ...]
    data_cost: float    # VND per purchased lead
    repeat: float       # chance a customer buys again within the period
    starts_on: dt.date = START
    ends_on: dt.date = END
    renew: float = 0.0          # subscriptions: chance each monthly renewal is paid
    appt_close: float = 0.0     # share of appointments closed later (an order with no call)
    ad_cost: float = 0.0        # VND of advertising per web form / Facebook lead


CAMPAIGNS = (
    Campaign("K1", "Flash sale điện máy", "retail", "Nồi chiên không dầu", 1_890_000, 0.32,
             0.80, 0.88, 0.67, 0.0, 0.012, ("T1", "T2", "T5"), 1_500, 0.25, ad_cost=60_000),
    Campaign("K2", "Bảo hiểm sức khỏe An Tâm", "insurance", "Gói An Tâm", 6_500_000, 0.24,
             0.54, 0.58, 0.72, 0.45, 0.045, ("T1", "T3", "T5"), 4_000, 0.0, appt_close=0.3,
             ad_cost=150_000),
    Campaign("K3", "Phần mềm bán hàng POS", "saas", "POS Pro (gói tháng)", 990_000, 0.16,
             0.45, 0.62, 0.34, 0.55, 0.01, ("T2", "T3"), 6_000, 0.0, renew=0.9, appt_close=0.4,
             ad_cost=90_000),
    Campaign("K4", "Khóa học tiếng Anh online", "education", "IELTS 6.5", 3_200_000, 0.16,
             0.50, 0.70, 0.30, 0.30, 0.012, ("T2", "T5"), 3_000, 0.05, dt.date(2026, 9, 15),
             appt_close=0.25, ad_cost=100_000),
    # Paid per approved card (bank commission); bought lists cost more than the cards bring in.
    Campaign("K5", "Thẻ tín dụng hoàn tiền", "finance", "Thẻ Cashback", 650_000, 0.12,
             0.30, 0.45, 0.15, 0.5, 0.01, ("T1", "T3"), 30_000, 0.0, dt.date(2026, 10, 1),
             ad_cost=80_000),
)

# The campaigns above are outbound sales; the care team's hotline is a campaign of its own,
# inbound care, so it is never ranked among the sellers (campaigns.kind).
SALES_KIND = "outbound_sales"
CARE_CAMPAIGN = ("K6", "Tổng đài chăm sóc khách hàng", "inbound_care")

SOURCES = ("web_form", "facebook", "referral", "purchased_list")
SEGMENTS = ("consumer", "sme", "enterprise")

# Chance a dial is answered, relative, by local hour (8–20) and ISO weekday.
HOUR_FACTOR = np.array([0, 0, 0, 0, 0, 0, 0, 0.6, 0.85, 1.0, 1.0, 1.15, 1.3, 1.05, 0.9, 0.95,
                        1.0, 1.1, 1.25, 1.3, 1.1, 0.7, 0.4, 0])
WEEKDAY_FACTOR = np.array([1.0, 1.0, 0.95, 1.0, 1.0, 0.85, 1.1, 0.7])   # index 1..7 = Mon..Sun
LEAD_HOURS = np.array([0, 0, 0, 0, 0, 0, 1, 2, 5, 8, 9, 8, 6, 6, 7, 8, 7, 6, 5, 5, 4, 3, 1, 0], float)


@dataclass
class Agents:
    ids: np.ndarray        # "A001"…
    names: list[str]
    team: np.ndarray       # index into TEAMS
    level: list[str]
    hired_on: list[dt.date]
    skill: np.ndarray      # multiplies the chance of success
    pace: np.ndarray       # multiplies talk time
    weight: np.ndarray     # share of work


def make_agents(rng: np.random.Generator, n: int, total_calls: int) -> Agents:
    """Sales agents spread over teams; care team T4 takes inbound; two newcomers barely call."""
    team = np.arange(n) % len(TEAMS)
    rng.shuffle(team)
    level = ["senior" if x < 0.35 else "junior" for x in rng.random(n)]
    skill = rng.lognormal(0.0, 0.22, n) * np.where(np.array(level) == "senior", 1.12, 0.95)
    pace = rng.lognormal(0.0, 0.15, n)
    weight = rng.uniform(0.7, 1.3, n)
    hired = [START - dt.timedelta(days=int(d)) for d in rng.integers(60, 1500, n)]
    # Two newcomers hired in the last week: a handful of calls, "too few to judge".
    sales = np.flatnonzero(team != 3)
    for i in sales[:2]:
        hired[i] = END - dt.timedelta(days=5)
        level[i] = "junior"
        weight[i] = 0.0
    names = person_names(rng, n).tolist()
    ids = np.array([f"A{i + 1:03d}" for i in range(n)])
    return Agents(ids, names, team, level, hired, skill, pace, weight)
