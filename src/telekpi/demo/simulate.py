"""Simulate the demo centre's leads, calls and their consequences, vectorised per chunk.

Leads arrive through the working day; each is dialled up to several times,
with answer chances that depend on hour and weekday; an answer reaches a
gatekeeper or the decision maker; dispositions follow the funnel; sales become
orders (some cancelled or refunded), some customers buy again; calls bring
surveys and tickets; unanswered leads get SMS/Zalo touches. Agent states and
costs are derived from the totals at the end. Same seed, same centre.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from telekpi.demo.sink import ids, local_ts, pick
from telekpi.demo.world import (
    AGENTS, CAMPAIGNS, DAYS, END, HOUR_FACTOR, LEAD_HOURS, SEGMENTS, SIZES, SOURCES, START, TEAMS,
    WEEKDAY_FACTOR, Agents, make_agents,
)

CHUNK_LEADS = 250_000
BASE_US = int((dt.datetime.combine(START, dt.time()) - dt.datetime(1970, 1, 1)).total_seconds()) * 1_000_000
PERIOD_S = DAYS * 86400.0
STATUS = ("answered", "no_answer", "busy", "failed", "voicemail", "abandoned")
DISPO = ("SALE", "APPOINTMENT", "QUALIFIED", "CALLBACK", "NI", "DNC", "GATEKEEPER", "WRONG_NUMBER",
         "XYZ", "RESOLVED")
S, AP, Q, CB, NI, DNC, GK, WN, XYZ, RES = range(len(DISPO))
TALK_MEAN = np.array([330, 260, 200, 90, 70, 40, 35, 20, 100, 180], float)
STOPS = np.zeros(len(DISPO), bool)
STOPS[[S, AP, NI, DNC, WN]] = True
CARE_TEAM = 3
FIRST_WEEKDAY = START.isoweekday()


def weekday(t: np.ndarray) -> np.ndarray:
    return (FIRST_WEEKDAY - 1 + (t // 86400).astype(np.int64)) % 7 + 1


def working_hours(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Move times outside 08:00–20:00 (and off Sundays, mostly) into the next working morning."""
    day, sec = np.floor(t / 86400), np.mod(t, 86400)
    early, late = sec < 8 * 3600, sec >= 20 * 3600
    morning = 8 * 3600 + rng.uniform(0, 5400, t.shape)
    t = np.where(early, day * 86400 + morning, np.where(late, (day + 1) * 86400 + morning, t))
    sunday = (weekday(t) == 7) & (rng.random(t.shape) < 0.7)
    return np.where(sunday, t + 86400, t)


class Centre:
    def __init__(self, sink, seed: int, size: str):
        self.sink, self.rng = sink, np.random.default_rng(seed)
        self.n_leads = SIZES[size]
        self.agents: Agents = make_agents(self.rng, AGENTS[size], self.n_leads * 4)
        n = len(self.agents.ids)
        self.talk = np.zeros((n, DAYS))
        self.wrap = np.zeros((n, DAYS))
        self.calls = np.zeros((n, DAYS))
        self.camp_talk = np.zeros((len(CAMPAIGNS), DAYS))
        self.camp_calls = np.zeros((len(CAMPAIGNS), DAYS))
        self.purchased = np.zeros((len(CAMPAIGNS), 3))
        self.next_call = self.next_order = self.next_survey = self.next_ticket = 0
        self.next_engagement = 0

    # ---- dimensions -------------------------------------------------------------------------
    def write_dimensions(self) -> None:
        a, w = self.agents, self.sink.write
        w("teams", pa.table({"team_id": [t.id for t in TEAMS], "name": [t.name for t in TEAMS],
                             "supervisor_id": [f"S{i + 1}" for i in range(len(TEAMS))]}))
        w("agents", pa.table({
            "agent_id": a.ids, "name": a.names, "team_id": pick([t.id for t in TEAMS], a.team),
            "site": pick([t.site for t in TEAMS], a.team), "vendor": pick([t.vendor for t in TEAMS], a.team),
            "supervisor_id": pick([f"S{i + 1}" for i in range(len(TEAMS))], a.team),
            "hired_on": pa.array(a.hired_on, pa.date32()), "level": a.level}))
        w("campaigns", pa.table({
            "campaign_id": [c.id for c in CAMPAIGNS], "name": [c.name for c in CAMPAIGNS],
            "industry": [c.industry for c in CAMPAIGNS], "product": [c.product for c in CAMPAIGNS],
            "starts_on": pa.array([START] * len(CAMPAIGNS), pa.date32()),
            "ends_on": pa.array([END] * len(CAMPAIGNS), pa.date32())}))

    # ---- leads ------------------------------------------------------------------------------
    def run(self) -> None:
        self.write_dimensions()
        for first in range(0, self.n_leads, CHUNK_LEADS):
            self.chunk(first, min(CHUNK_LEADS, self.n_leads - first))
        self.agent_states()
        self.costs()
        self.sink.close()

    def chunk(self, g: int, n: int) -> None:
        rng, a = self.rng, self.agents
        camp = rng.choice(len(CAMPAIGNS), n, p=_norm([c.weight for c in CAMPAIGNS]))
        day_p = _norm(WEEKDAY_FACTOR[weekday(np.arange(DAYS) * 86400.0)] ** 2)
        day = rng.choice(DAYS, n, p=day_p)
        created = day * 86400.0 + rng.choice(24, n, p=_norm(LEAD_HOURS)) * 3600 + rng.uniform(0, 3600, n)
        src_p = np.array([[0.45, 0.3, 0.1, 0.15], [0.05, 0.05, 0.1, 0.8]])
        source = np.where(camp == 4, _choice_rows(rng, src_p[1], n), _choice_rows(rng, src_p[0], n))
        month = np.minimum((day // 30), 2)
        np.add.at(self.purchased, (camp[source == 3], month[source == 3]), 1)
        agent = np.empty(n, np.int64)
        for ci, c in enumerate(CAMPAIGNS):
            pool = np.flatnonzero(np.isin(a.team, [i for i, t in enumerate(TEAMS) if t.id in c.teams]))
            idx = np.flatnonzero(camp == ci)
            agent[idx] = rng.choice(pool, idx.size, p=_norm(a.weight[pool]))
        if g == 0:   # the newcomers: a few recent leads each
            for i in np.flatnonzero(a.weight == 0):
                ok = np.flatnonzero((day >= DAYS - 5) & np.array(
                    [TEAMS[a.team[i]].id in CAMPAIGNS[c].teams for c in camp]))
                agent[rng.choice(ok, min(4, ok.size), replace=False)] = i
        team = a.team[agent]
        speed = np.array([t.speed for t in TEAMS])[team]
        u = rng.random(n)
        delay = np.where(u < 0.42, rng.exponential(150, n),
                         np.where(u < 0.85, rng.exponential(7200, n), rng.exponential(72000, n))) * speed
        script = np.where(np.isin(camp, [0, 1]), rng.integers(0, 2, n), -1)
        # Some numbers never answer: dead, wrong or screened; bought lists most of all.
        reach_p = np.clip(np.array([0.9, 0.8, 0.95, 0.4])[source]
                          * np.array([1.2, 1.12, 0.8, 0.8, 0.8])[camp], 0, 0.97)
        reachable = rng.random(n) < reach_p
        won = self.dial(g, n, camp, agent, team, working_hours(created + delay, rng), script, reachable)
        self.sink.write("leads", pa.table({
            "lead_id": ids("L", g + np.arange(n)), "created_at": local_ts(BASE_US, created),
            "campaign_id": pick([c.id for c in CAMPAIGNS], camp), "source": pick(SOURCES, source),
            "segment": pick(SEGMENTS, rng.choice(3, n, p=[0.6, 0.3, 0.1])),
            "customer_id": pa.array(np.where(won, "U" + (g + np.arange(n)).astype(str), None), pa.string()),
            "name": pa.array([None] * n, pa.string()),
            "phone": ids("09", rng.integers(10_000_000, 99_999_999, n))}))
        self.inbound(g, int(n * 0.3))

    def dial(self, g, n, camp, agent, team, t, script, reachable) -> np.ndarray:
        """Dial each lead until it is won, lost, or out of attempts; write calls and consequences."""
        rng, a = self.rng, self.agents
        cs = CAMPAIGNS
        connect = np.array([c.connect for c in cs])[camp]
        dm_p = np.array([c.dm for c in cs])[camp]
        succ = np.array([c.success for c in cs])[camp] * a.skill[agent] * np.where(
            (camp == 0) & (script == 1), 1.25, 1.0)
        qual = np.array([t_.qualify for t_ in TEAMS])[team]
        drop = np.array([c.drop for c in cs])[camp]
        max_att = np.clip(2 + rng.poisson(3.2, n), 1, 9)
        active = np.ones(n, bool)
        won = np.zeros(n, bool)
        out = {k: [] for k in ("lead", "t", "status", "dispo", "agent")}
        unanswered_run = np.zeros(n, np.int64)
        for k in range(9):
            idx = np.flatnonzero(active & (k < max_att) & (t < PERIOD_S))
            if idx.size == 0:
                break
            tk = t[idx]
            hour = (np.mod(tk, 86400) // 3600).astype(int)
            p = np.clip(connect[idx] * HOUR_FACTOR[hour] * WEEKDAY_FACTOR[weekday(tk)], 0, 0.97)
            answered = (rng.random(idx.size) < p) & reachable[idx]
            status = np.where(answered, 0, rng.choice([1, 2, 3, 4], idx.size, p=[0.62, 0.15, 0.08, 0.15]))
            dropped = answered & (rng.random(idx.size) < drop[idx])
            status[dropped] = 5
            live = answered & ~dropped
            dispo = np.full(idx.size, -1)
            r = rng.random(idx.size)
            is_dm = live & (rng.random(idx.size) < dm_p[idx])
            dispo[live & ~is_dm] = np.where(r[live & ~is_dm] < 0.88, GK, WN)
            s_p = np.clip(succ[idx] * qual[idx], 0, 0.95)
            success = is_dm & (r < s_p)
            appt = success & (rng.random(idx.size) < np.array([c.appointment for c in cs])[camp[idx]])
            dispo[success] = np.where(appt[success], AP, S)
            rest = is_dm & ~success
            r2 = rng.random(idx.size)
            q_p = 0.22 * qual[idx]
            dispo[rest] = np.select(
                [r2[rest] < q_p[rest], r2[rest] < q_p[rest] + 0.22, r2[rest] < q_p[rest] + 0.22 + 0.05],
                [Q, CB, DNC], NI)
            odd = live & (rng.random(idx.size) < 0.015)
            dispo[odd] = np.where(rng.random(odd.sum()) < 0.3, XYZ, -1)
            for key, v in (("lead", idx), ("t", tk), ("status", status), ("dispo", dispo),
                           ("agent", np.where(dropped, -1, agent[idx]))):
                out[key].append(v)
            won[idx[np.isin(dispo, [S])]] = True
            stop = np.zeros(idx.size, bool)
            stop[dispo >= 0] = STOPS[dispo[dispo >= 0]]
            active[idx[stop]] = False
            unanswered_run[idx] = np.where(live, 0, unanswered_run[idx] + 1)
            gap = np.where(dispo == CB, rng.uniform(86400, 2 * 86400, idx.size),
                           rng.exponential(5 * 3600, idx.size) + 900)
            t[idx] = working_hours(tk + gap, rng)
        calls = {k: np.concatenate(v) if v else np.array([]) for k, v in out.items()}
        self.write_calls(g, calls, camp, script)
        self.engagements(g, calls)
        return won

    def write_calls(self, g, c, camp, script) -> None:
        rng, a = self.rng, self.agents
        m = c["lead"].size
        call_no = self.next_call + np.arange(m)
        self.next_call += m
        lead = c["lead"]
        status, dispo, agent, t = c["status"], c["dispo"], c["agent"], c["t"]
        live = (status == 0)
        pace = np.where(agent >= 0, a.pace[np.maximum(agent, 0)], 1.0)
        talk = np.where(live, rng.lognormal(np.log(TALK_MEAN[np.maximum(dispo, 0)] * pace), 0.45), 0.0)
        talk = np.where(live & (dispo < 0), rng.lognormal(np.log(60), 0.5, m), talk).round()
        ring = np.select([live, status == 2, status == 3], [rng.uniform(4, 20, m), rng.uniform(1, 3, m), 0],
                         rng.uniform(25, 45, m)).round()
        hold = np.where(live & np.isin(dispo, [S, AP, Q]) & (rng.random(m) < 0.3), rng.exponential(40, m), 0).round()
        wrap = np.where(live, rng.uniform(15, 60, m) * pace, np.where(agent >= 0, 5.0, 0.0)).round()
        mos = np.where(rng.random(m) < 0.92, np.clip(rng.normal(4.1, 0.4, m), 1, 5).round(2), np.nan)
        ci = camp[lead]
        self.sink.write("calls", pa.table({
            "call_id": ids("C", call_no), "started_at": local_ts(BASE_US, t),
            "agent_id": pick(a.ids, agent), "campaign_id": pick([x.id for x in CAMPAIGNS], ci),
            "lead_id": ids("L", g + lead), "direction": pa.array(["outbound"] * m, pa.string()),
            "status": pick(STATUS, status), "disposition": pick(DISPO, dispo),
            "ring_s": ring, "talk_s": talk, "hold_s": hold, "wrap_s": wrap,
            "script": pick(("A", "B"), script[lead]), "mos": pa.array(mos, mask=np.isnan(mos)),
            "recording_url": pa.array(np.where(live, "https://recordings.example.vn/C" + call_no.astype(str)
                                               + ".mp3", None), pa.string())}))
        self.account(agent, t, talk + hold, wrap, ci)
        sale = np.flatnonzero(dispo == S)
        self.orders(sale, call_no, lead + g, agent, ci, t + talk)
        dm = np.flatnonzero(live & (dispo >= 0) & (dispo <= DNC))
        self.surveys(dm, call_no, agent, t + talk)

    def account(self, agent, t, talk, wrap, camp) -> None:
        d = np.clip((t // 86400).astype(np.int64), 0, DAYS - 1)
        has = agent >= 0
        np.add.at(self.talk, (agent[has], d[has]), talk[has])
        np.add.at(self.wrap, (agent[has], d[has]), wrap[has])
        np.add.at(self.calls, (agent[has], d[has]), 1)
        if camp is not None:
            np.add.at(self.camp_talk, (camp, d), talk)
            np.add.at(self.camp_calls, (camp, d), 1)

    def orders(self, sale, call_no, lead, agent, camp, t) -> None:
        rng = self.rng
        n = sale.size
        price = np.array([c.price for c in CAMPAIGNS])[camp[sale]]
        qty = rng.choice([1, 2, 3], n, p=[0.82, 0.14, 0.04])
        at = t[sale] + rng.uniform(60, 1800, n)
        status = rng.choice(3, n, p=[0.93, 0.05, 0.02])
        repeat = rng.random(n) < np.array([c.repeat for c in CAMPAIGNS])[camp[sale]]
        again = at + rng.uniform(20, 70, n) * 86400
        keep = repeat & (again < PERIOD_S)
        o_lead = np.concatenate([lead[sale], lead[sale][keep]])
        o_at = np.concatenate([at, again[keep]])
        m = o_lead.size
        o_no = self.next_order + np.arange(m)
        self.next_order += m
        o_camp = np.concatenate([camp[sale], camp[sale][keep]])
        o_agent = np.concatenate([agent[sale], agent[sale][keep]])
        o_call = np.concatenate([call_no[sale], np.full(keep.sum(), -1)])
        o_status = np.concatenate([status, rng.choice(3, keep.sum(), p=[0.95, 0.04, 0.01])])
        amount = np.concatenate([price * qty, price[keep]])
        self.sink.write("orders", pa.table({
            "order_id": ids("O", o_no), "ordered_at": local_ts(BASE_US, o_at), "amount": amount,
            "status": pick(("completed", "cancelled", "refunded"), o_status),
            "customer_id": ids("U", o_lead), "lead_id": ids("L", o_lead),
            "agent_id": pick(self.agents.ids, o_agent), "campaign_id": pick([c.id for c in CAMPAIGNS], o_camp),
            "call_id": pa.array(np.where(o_call >= 0, "C" + o_call.astype(str), None), pa.string()),
            "product": pick([c.product for c in CAMPAIGNS], o_camp)}))
        self.tickets(o_lead, o_at, o_status)

    def surveys(self, calls, call_no, agent, t) -> None:
        rng = self.rng
        pick_ = calls[rng.random(calls.size) < 0.2]
        n = pick_.size
        team = self.agents.team[np.maximum(agent[pick_], 0)]
        top2 = rng.random(n) < np.array([x.csat_top2 for x in TEAMS])[team]
        score = np.where(top2, rng.choice([4, 5], n, p=[0.45, 0.55]), rng.choice([1, 2, 3], n, p=[0.2, 0.3, 0.5]))
        no = self.next_survey + np.arange(n)
        self.next_survey += n
        self.sink.write("surveys", pa.table({
            "response_id": ids("R", no), "answered_at": local_ts(BASE_US, np.minimum(t[pick_] + 300, PERIOD_S - 1)),
            "score": score.astype(float), "scale_max": np.full(n, 5.0), "question_id": ["csat"] * n,
            "call_id": ids("C", call_no[pick_]), "customer_id": pa.array([None] * n, pa.string()),
            "agent_id": pick(self.agents.ids, agent[pick_])}))

    def tickets(self, lead, at, status) -> None:
        rng = self.rng
        sel = np.flatnonzero((rng.random(lead.size) < 0.12) | (status > 0))
        opened = at[sel] + rng.uniform(0.5, 10, sel.size) * 86400
        sel, opened = sel[opened < PERIOD_S], opened[opened < PERIOD_S]
        n = sel.size
        first = opened + rng.exponential(2 * 3600, n)
        resolved = np.where(rng.random(n) < 0.9, first + rng.exponential(20 * 3600, n), np.nan)
        care = np.flatnonzero(self.agents.team == CARE_TEAM)
        no = self.next_ticket + np.arange(n)
        self.next_ticket += n
        self.sink.write("tickets", pa.table({
            "ticket_id": ids("TK", no), "opened_at": local_ts(BASE_US, opened),
            "first_response_at": local_ts(BASE_US, first), "resolved_at": local_ts(BASE_US, resolved),
            "customer_id": ids("U", lead[sel]), "agent_id": pick(self.agents.ids, rng.choice(care, n)),
            "channel": pick(("phone", "email", "zalo"), rng.choice(3, n, p=[0.5, 0.2, 0.3])),
            "priority": pick(("low", "normal", "high"), rng.choice(3, n, p=[0.3, 0.55, 0.15]))}))

    def inbound(self, g, n) -> None:
        rng, a = self.rng, self.agents
        care = np.flatnonzero(a.team == CARE_TEAM)
        day = rng.choice(DAYS, n, p=_norm(WEEKDAY_FACTOR[weekday(np.arange(DAYS) * 86400.0)]))
        t = working_hours(day * 86400.0 + rng.choice(24, n, p=_norm(LEAD_HOURS)) * 3600
                          + rng.uniform(0, 3600, n), rng)
        wait, patience = rng.exponential(28, n), rng.exponential(90, n)
        abandoned = wait > patience
        agent = np.where(abandoned, -1, rng.choice(care, n))
        talk = np.where(abandoned, 0, rng.lognormal(np.log(180), 0.5, n)).round()
        wrap = np.where(abandoned, 0, rng.uniform(20, 60, n)).round()
        dispo = np.where(abandoned, -1, np.where(rng.random(n) < 0.9, RES, CB))
        no = self.next_call + np.arange(n)
        self.next_call += n
        self.sink.write("calls", pa.table({
            "call_id": ids("C", no), "started_at": local_ts(BASE_US, t), "agent_id": pick(a.ids, agent),
            "campaign_id": pa.array([None] * n, pa.string()), "lead_id": pa.array([None] * n, pa.string()),
            "direction": ["inbound"] * n, "status": pick(STATUS, np.where(abandoned, 5, 0)),
            "disposition": pick(DISPO, dispo), "ring_s": np.zeros(n),
            "wait_s": np.minimum(wait, patience).round(), "talk_s": talk, "hold_s": np.zeros(n),
            "wrap_s": wrap}))
        self.account(agent, t, talk, wrap, None)
        answered = np.flatnonzero(~abandoned)
        self.surveys(answered, no, agent, t + talk)

    def engagements(self, g, c) -> None:
        """SMS/Zalo after an unanswered first call; a few leads reply (an engagement)."""
        rng = self.rng
        first_miss = np.flatnonzero(c["status"] != 0)
        lead, first_idx = np.unique(c["lead"][first_miss], return_index=True)
        sel = first_miss[first_idx][rng.random(lead.size) < 0.35]
        n = sel.size
        t_out = c["t"][sel] + 600
        reply = rng.random(n) < 0.15
        t_in = t_out[reply] + rng.exponential(3 * 3600, reply.sum())
        m = n + reply.sum()
        no = self.next_engagement + np.arange(m)
        self.next_engagement += m
        chan = rng.choice(2, n, p=[0.4, 0.6])
        self.sink.write("engagements", pa.table({
            "engagement_id": ids("E", no), "lead_id": ids("L", g + np.concatenate([c["lead"][sel], c["lead"][sel][reply]])),
            "at": local_ts(BASE_US, np.concatenate([t_out, t_in])),
            "channel": pick(("sms", "zalo"), np.concatenate([chan, chan[reply]])),
            "direction": pick(("out", "in"), np.concatenate([np.zeros(n, int), np.ones(reply.sum(), int)]))}))

    # ---- derived ----------------------------------------------------------------------------
    def agent_states(self) -> None:
        """Per agent and worked day: available, on call, wrap, lunch, available again."""
        ag, day = np.nonzero(self.calls)
        talk, wrap = self.talk[ag, day], self.wrap[ag, day]
        start = day * 86400.0 + 8 * 3600 + self.rng.uniform(-900, 900, ag.size)
        lunch = 3600.0
        # Between calls: dialling, ringing and waiting for the next connect.
        avail = np.maximum((talk + wrap) * self.rng.uniform(0.25, 0.6, ag.size), 600)
        spans = [("available", avail / 2, None), ("on_call", talk, None), ("wrap", wrap, None),
                 ("pause", np.full(ag.size, lunch), "lunch"), ("available", avail / 2, None)]
        t = start.copy()
        parts = []
        for state, dur, reason in spans:
            keep = dur > 0
            parts.append(pa.table({
                "agent_id": pick(self.agents.ids, ag[keep]), "state": [state] * int(keep.sum()),
                "started_at": local_ts(BASE_US, t[keep]), "ended_at": local_ts(BASE_US, (t + dur)[keep]),
                "reason": pa.array([reason] * int(keep.sum()), pa.string())}))
            t = t + dur
        self.sink.write("agent_states", pa.concat_tables(parts))

    def costs(self) -> None:
        a = self.agents
        months = [START.replace(day=1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
        rows = {k: [] for k in ("cost_id", "incurred_on", "amount", "category", "agent_id", "team_id",
                                "campaign_id")}

        def add(cid, on, amount, cat, agent=None, team=None, camp=None):
            for k, v in zip(rows, (cid, on, float(round(amount)), cat, agent, team, camp), strict=True):
                rows[k].append(v)

        for mi, m in enumerate(months):
            for i, aid in enumerate(a.ids):
                t = TEAMS[a.team[i]]
                if t.site == "in_house" and a.hired_on[i] <= m.replace(day=28):
                    add(f"S-{aid}-{m:%Y%m}", m, 13e6 if a.level[i] == "senior" else 9e6, "salary",
                        aid, t.id)
            n_out = int(np.sum(a.team == 4))
            add(f"OUT-{m:%Y%m}", m, n_out * 14e6, "outsourcing", team=TEAMS[4].id)
            add(f"SW-{m:%Y%m}", m, 2e6 * len(a.ids), "software")
            for ci, c in enumerate(CAMPAIGNS):
                add(f"DATA-{c.id}-{m:%Y%m}", m, self.purchased[ci, mi] * c.data_cost, "data", camp=c.id)
        for ci, c in enumerate(CAMPAIGNS):
            for d in np.flatnonzero(self.camp_calls[ci]):
                on = START + dt.timedelta(days=int(d))
                add(f"TEL-{c.id}-{on:%Y%m%d}", on, self.camp_talk[ci, d] / 60 * 700
                    + self.camp_calls[ci, d] * 150, "telco", camp=c.id)
        table = pa.table({**rows, "incurred_on": pa.array(rows["incurred_on"], pa.date32())})
        self.sink.write("costs", table)


def _norm(p) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return p / p.sum()


def _choice_rows(rng, p, n) -> np.ndarray:
    return rng.choice(len(p), n, p=p)
