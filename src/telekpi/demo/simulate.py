"""Simulate the demo centre's leads, calls and their consequences, vectorised per chunk.

Leads arrive through the working day; each is dialled up to several times,
with answer chances that depend on hour and weekday; an answer reaches a
gatekeeper or the decision maker; dispositions follow the funnel; sales become
orders (some cancelled or refunded), some customers buy again; calls bring
surveys and tickets; unanswered leads get SMS/Zalo touches. Agent states and
costs are derived from the totals at the end (derived.py). Same seed, same centre.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from telekpi.demo.derived import write_agent_states, write_costs
from telekpi.demo.followups import followups, scheduled_callbacks
from telekpi.demo.operations import write_outbound_calls
from telekpi.demo.sink import ids, local_ts, pick
from telekpi.demo.speech import agent_habits, speech_table
from telekpi.demo.world import (
    BASE_US,
    CAMPAIGNS,
    CARE_CAMPAIGN,
    DAYS,
    END,
    HOUR_FACTOR,
    LEAD_HOURS,
    SALES_KIND,
    SEGMENTS,
    SOURCES,
    START,
    TEAMS,
    WEEKDAY_FACTOR,
    Agents,
    make_agents,
    person_names,
)

CHUNK_LEADS = 250_000
PERIOD_S = DAYS * 86400.0
# The number the demo centre's customers call (a Ho Chi Minh City landline, E.164).
DEMO_DID = "+842873001234"
STATUS = ("answered", "no_answer", "busy", "failed", "voicemail", "abandoned")
DISPO = ("SALE", "APPOINTMENT", "QUALIFIED", "CALLBACK", "NI", "DNC", "GATEKEEPER", "WRONG_NUMBER",
         "XYZ", "RESOLVED")
S, AP, Q, CB, NI, DNC, GK, WN, XYZ, RES = range(len(DISPO))
TALK_MEAN = np.array([330, 260, 200, 90, 70, 40, 35, 20, 100, 180], float)
STOPS = np.zeros(len(DISPO), bool)
STOPS[[S, AP, NI, DNC, WN]] = True
CARE_TEAM = 3
FIRST_WEEKDAY = START.isoweekday()
MONTH_STARTS = np.array([0, 30, 61])   # day numbers of 1 Sep, 1 Oct, 1 Nov


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
    def __init__(self, sink, seed: int, leads: int, agents: int):
        self.sink, self.rng = sink, np.random.default_rng(seed)
        self.n_leads = leads
        self.agents: Agents = make_agents(self.rng, agents, self.n_leads * 4)
        n = len(self.agents.ids)
        self.talk = np.zeros((n, DAYS))
        self.wrap = np.zeros((n, DAYS))
        self.calls = np.zeros((n, DAYS))
        self.camp_talk = np.zeros((len(CAMPAIGNS), DAYS))
        self.camp_calls = np.zeros((len(CAMPAIGNS), DAYS))
        self.purchased = np.zeros((len(CAMPAIGNS), 3))   # bought-list leads per campaign and month
        self.advertised = np.zeros((len(CAMPAIGNS), 3))  # web form and Facebook ad leads
        self.next_call = self.next_order = self.next_survey = self.next_ticket = 0
        self.next_engagement = 0
        # Operations (issue 27): numbers, caller IDs and stop requests draw from their own
        # generator, so the rest of the centre is the one the same seed always gave.
        self.ops_rng = np.random.default_rng(seed + 27)
        self.pending_calls: list[tuple] = []
        # speech analytics: a stream of their own, so the rest stays as it was (demo/speech.py)
        self.speech_rng = np.random.default_rng(seed + 25)
        self.speech_habits = agent_habits(self.speech_rng, n)

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
        care_id, care_name, care_kind = CARE_CAMPAIGN
        w("campaigns", pa.table({
            "campaign_id": [c.id for c in CAMPAIGNS] + [care_id],
            "name": [c.name for c in CAMPAIGNS] + [care_name],
            "industry": pa.array([c.industry for c in CAMPAIGNS] + [None], pa.string()),
            "product": pa.array([c.product for c in CAMPAIGNS] + [None], pa.string()),
            "starts_on": pa.array([c.starts_on for c in CAMPAIGNS] + [START], pa.date32()),
            "ends_on": pa.array([c.ends_on for c in CAMPAIGNS] + [END], pa.date32()),
            "kind": [SALES_KIND] * len(CAMPAIGNS) + [care_kind]}))

    # ---- leads ------------------------------------------------------------------------------
    def run(self) -> None:
        self.write_dimensions()
        for first in range(0, self.n_leads, CHUNK_LEADS):
            self.chunk(first, min(CHUNK_LEADS, self.n_leads - first))
        write_agent_states(self)
        write_costs(self)
        self.sink.close()

    def chunk(self, g: int, n: int) -> None:
        rng, a = self.rng, self.agents
        camp = rng.choice(len(CAMPAIGNS), n, p=_norm([c.weight for c in CAMPAIGNS]))
        day_w = WEEKDAY_FACTOR[weekday(np.arange(DAYS) * 86400.0)] ** 2
        day = np.empty(n, np.int64)
        for ci, c in enumerate(CAMPAIGNS):   # leads arrive while their campaign runs
            live = np.zeros(DAYS)
            live[(c.starts_on - START).days:(c.ends_on - START).days + 1] = 1
            idx = np.flatnonzero(camp == ci)
            day[idx] = rng.choice(DAYS, idx.size, p=_norm(day_w * live))
        created = day * 86400.0 + rng.choice(24, n, p=_norm(LEAD_HOURS)) * 3600 + rng.uniform(0, 3600, n)
        src_p = np.array([[0.45, 0.3, 0.1, 0.15], [0.05, 0.05, 0.1, 0.8]])
        source = np.where(camp == 4, _choice_rows(rng, src_p[1], n), _choice_rows(rng, src_p[0], n))
        month = np.searchsorted(MONTH_STARTS, day, side="right") - 1
        np.add.at(self.purchased, (camp[source == 3], month[source == 3]), 1)
        ad = source <= 1
        np.add.at(self.advertised, (camp[ad], month[ad]), 1)
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
        customer = self.dial(g, n, camp, agent, team, working_hours(created + delay, rng), script, reachable)
        segment = pick(SEGMENTS, rng.choice(3, n, p=[0.6, 0.3, 0.1]))
        names = pa.array(person_names(rng, n), pa.string())
        phone = rng.integers(10_000_000, 99_999_999, n)
        self.sink.write("leads", pa.table({
            "lead_id": ids("L", g + np.arange(n)), "created_at": local_ts(BASE_US, created),
            "campaign_id": pick([c.id for c in CAMPAIGNS], camp), "source": pick(SOURCES, source),
            "segment": segment,
            # numpy's stubs take no None in np.where; numpy makes it an object array
            "customer_id": pa.array(np.where(customer,  # type: ignore[call-overload]
                                             "U" + (g + np.arange(n)).astype(str), None), pa.string()),
            "name": names,
            "phone": ids("09", phone)}))
        write_outbound_calls(self, phone, created)
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
        close = np.array([t_.close for t_ in TEAMS])[team]
        drop = np.array([c.drop for c in cs])[camp]
        max_att = np.clip(2 + rng.poisson(3.2, n), 1, 8)
        active = np.ones(n, bool)
        out: dict[str, list[np.ndarray]] = {k: [] for k in ("lead", "t", "status", "dispo", "agent")}
        unanswered_run = np.zeros(n, np.int64)
        for k in range(8):
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
            s_full = np.clip(succ[idx] * qual[idx], 0, 0.95)
            s_p = s_full * close[idx]     # a weak closer leaves the rest "qualified" but unsold
            success = is_dm & (r < s_p)
            appt = success & (rng.random(idx.size) < np.array([c.appointment for c in cs])[camp[idx]])
            dispo[success] = np.where(appt[success], AP, S)
            rest = is_dm & ~success
            r2 = rng.random(idx.size)
            q_p = 0.22 * qual[idx] + (s_full - s_p) / (1 - s_p)
            dispo[rest] = np.select(
                [r2[rest] < q_p[rest], r2[rest] < q_p[rest] + 0.22, r2[rest] < q_p[rest] + 0.22 + 0.05],
                [Q, CB, DNC], NI)
            odd = live & (rng.random(idx.size) < 0.015)
            dispo[odd] = np.where(rng.random(odd.sum()) < 0.3, XYZ, -1)
            for key, v in (("lead", idx), ("t", tk), ("status", status), ("dispo", dispo),
                           ("agent", np.where(dropped, -1, agent[idx]))):
                out[key].append(v)
            stop = np.zeros(idx.size, bool)
            stop[dispo >= 0] = STOPS[dispo[dispo >= 0]]
            active[idx[stop]] = False
            unanswered_run[idx] = np.where(live, 0, unanswered_run[idx] + 1)
            gap = np.where(dispo == CB, rng.uniform(86400, 2 * 86400, idx.size),
                           rng.exponential(5 * 3600, idx.size) + 900)
            t[idx] = working_hours(tk + gap, rng)
        calls = {k: np.concatenate(v) if v else np.array([]) for k, v in out.items()}
        customer = np.zeros(n, bool)
        customer[self.write_calls(g, calls, camp, script)] = True
        self.engagements(g, calls)
        return customer

    def write_calls(self, g, c, camp, script) -> np.ndarray:
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
        self.pending_calls.append((pa.table({
            "call_id": ids("C", call_no), "started_at": local_ts(BASE_US, t),
            "agent_id": pick(a.ids, agent), "campaign_id": pick([x.id for x in CAMPAIGNS], ci),
            "lead_id": ids("L", g + lead), "direction": pa.array(["outbound"] * m, pa.string()),
            "status": pick(STATUS, status), "disposition": pick(DISPO, dispo),
            "ring_s": ring, "talk_s": talk, "hold_s": hold, "wrap_s": wrap,
            "script": pick(("A", "B"), script[lead]), "mos": pa.array(mos, mask=np.isnan(mos)),
            "recording_url": pa.array(np.where(live,  # type: ignore[call-overload]  # None: as above
                                               "https://recordings.example.vn/C" + call_no.astype(str) + ".mp3",
                                               None), pa.string())}), lead, t, status, ci))
        calls = self.pending_calls[-1][0]
        self.sink.write("scheduled_callbacks", scheduled_callbacks(
            call_no, t, talk, live & (dispo == CB), calls.column("lead_id"), calls.column("campaign_id"),
            calls.column("agent_id"), PERIOD_S, BASE_US))
        self.sink.write("call_speech", speech_table(self.speech_rng, ids("C", call_no), talk, agent,
                                                    len(a.ids), self.speech_habits))
        self.account(agent, t, talk + hold, wrap, ci)
        dm = np.flatnonzero(live & (dispo >= 0) & (dispo <= DNC))
        self.surveys(dm, call_no, agent, t + talk)
        return self.orders(dispo, call_no, lead, g, agent, ci, t + talk)

    def account(self, agent, t, talk, wrap, camp) -> None:
        d = np.clip((t // 86400).astype(np.int64), 0, DAYS - 1)
        has = agent >= 0
        np.add.at(self.talk, (agent[has], d[has]), talk[has])
        np.add.at(self.wrap, (agent[has], d[has]), wrap[has])
        np.add.at(self.calls, (agent[has], d[has]), 1)
        if camp is not None:
            np.add.at(self.camp_talk, (camp, d), talk)
            np.add.at(self.camp_calls, (camp, d), 1)

    def orders(self, dispo, call_no, lead, g, agent, camp, t) -> np.ndarray:
        """Orders from SALE calls, from appointments closed later (no call), from subscription
        renewals and repeat purchases (no call). Returns the chunk's leads that became customers."""
        rng, cs = self.rng, CAMPAIGNS
        price_of = np.array([c.price for c in cs])
        sale = np.flatnonzero(dispo == S)
        qty = np.where(np.array([c.renew for c in cs])[camp[sale]] > 0, 1,
                       rng.choice([1, 2, 3], sale.size, p=[0.82, 0.14, 0.04]))
        appt = np.flatnonzero(dispo == AP)
        appt = appt[rng.random(appt.size) < np.array([c.appt_close for c in cs])[camp[appt]]]
        first = np.concatenate([sale, appt])
        at = np.concatenate([t[sale] + rng.uniform(60, 1800, sale.size),
                             t[appt] + rng.uniform(2, 10, appt.size) * 86400])
        amount = price_of[camp[first]] * np.concatenate([qty, np.ones(appt.size)])
        status = rng.choice(3, first.size, p=[0.93, 0.05, 0.02])
        with_call = np.concatenate([np.ones(sale.size, bool), np.zeros(appt.size, bool)])
        # Later orders without a call: subscription renewals every month, retail repeat buys.
        renew = np.array([c.renew for c in cs])[camp[first]]
        alive = (status == 0) & (renew > 0)
        later_src, later_at = [], []
        for k in (1, 2, 3):
            alive &= rng.random(first.size) < renew
            later_src.append(np.flatnonzero(alive))
            later_at.append(at[alive] + k * 30.4 * 86400 + rng.normal(0, 86400, alive.sum()))
        repeat = (rng.random(first.size) < np.array([c.repeat for c in cs])[camp[first]]) & (status == 0)
        later_src.append(np.flatnonzero(repeat))
        later_at.append(at[repeat] + rng.uniform(20, 70, repeat.sum()) * 86400)
        src, l_at = np.concatenate(later_src), np.concatenate(later_at)
        keep = l_at < PERIOD_S
        src, l_at = src[keep], l_at[keep]
        o = np.concatenate([np.arange(first.size), src])     # row in `first` each order comes from
        o_at = np.concatenate([at, l_at])
        ok = o_at < PERIOD_S
        o, o_at = o[ok], o_at[ok]
        o_status = np.concatenate([status, rng.choice(3, src.size, p=[0.96, 0.03, 0.01])])[ok]
        o_amount = np.concatenate([amount, price_of[camp[first[src]]]])[ok]
        o_call = np.where(np.concatenate([with_call, np.zeros(src.size, bool)])[ok], first[o], -1)
        row = first[o]
        o_lead = lead[row] + g
        m = o.size
        o_no = self.next_order + np.arange(m)
        self.next_order += m
        self.sink.write("orders", pa.table({
            "order_id": ids("O", o_no), "ordered_at": local_ts(BASE_US, o_at), "amount": o_amount.round(),
            "status": pick(("completed", "cancelled", "refunded"), o_status),
            "customer_id": ids("U", o_lead), "lead_id": ids("L", o_lead),
            "agent_id": pick(self.agents.ids, agent[row]), "campaign_id": pick([c.id for c in cs], camp[row]),
            "call_id": pa.array(np.where(o_call >= 0, "C" + call_no[np.maximum(o_call, 0)].astype(str), None),
                                pa.string()),
            "product": pick([c.product for c in cs], camp[row])}))
        self.tickets(o_lead, o_at, o_status)
        return np.unique(lead[row])

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
        """Inbound care calls: each waits in the queue, is answered or abandoned."""
        rng, a = self.rng, self.agents
        care = np.flatnonzero(a.team == CARE_TEAM)
        day = rng.choice(DAYS, n, p=_norm(WEEKDAY_FACTOR[weekday(np.arange(DAYS) * 86400.0)]))
        t = working_hours(day * 86400.0 + rng.choice(24, n, p=_norm(LEAD_HOURS)) * 3600
                          + rng.uniform(0, 3600, n), rng)
        t = t[t < PERIOD_S]     # the period ends at midnight; late callers spill into nothing
        n = t.size
        wait, patience = rng.exponential(20, n), rng.exponential(160, n)
        abandoned = wait > patience
        agent = np.where(abandoned, -1, rng.choice(care, n))
        talk = np.where(abandoned, 0, rng.lognormal(np.log(180), 0.5, n)).round()
        wrap = np.where(abandoned, 0, rng.uniform(20, 60, n)).round()
        dispo = np.where(abandoned, -1, np.where(rng.random(n) < 0.9, RES, CB))
        no = self.next_call + np.arange(n)
        self.next_call += n
        self.sink.write("calls", pa.table({
            "call_id": ids("C", no), "started_at": local_ts(BASE_US, t), "agent_id": pick(a.ids, agent),
            "campaign_id": pa.array([CARE_CAMPAIGN[0]] * n, pa.string()),
            "lead_id": pa.array([None] * n, pa.string()), "direction": ["inbound"] * n,
            "status": pick(STATUS, np.where(abandoned, 5, 0)),
            "disposition": pick(DISPO, dispo), "ring_s": np.zeros(n),
            "wait_s": np.minimum(wait, patience).round(), "talk_s": talk, "hold_s": np.zeros(n),
            "wrap_s": wrap,
            # Every inbound call enters the care queue as it starts (the demo has no IVR); the
            # numbers come from the call's number, not the random stream, so the rest stays put.
            "queue": pa.array(["care"] * n, pa.string()), "queued_at": local_ts(BASE_US, t),
            "caller_number": pa.array([f"+849{k % 90_000_000 + 10_000_000:08d}" for k in no * 7919],
                                      pa.string()),
            "called_number": pa.array([DEMO_DID] * n, pa.string()),
            "line": pa.array([DEMO_DID] * n, pa.string())}))
        self.account(agent, t, talk, wrap, None)
        answered = np.flatnonzero(~abandoned)
        self.surveys(answered, no, agent, t + talk)
        # Retries and callbacks after these calls (demo/followups.py: a stream of their own).
        numbers = [f"+849{k % 90_000_000 + 10_000_000:08d}" for k in no * 7919]
        later, m = followups(self.next_call, t, abandoned, dispo == CB, numbers, care, a.ids,
                             CARE_CAMPAIGN[0], DEMO_DID, PERIOD_S, BASE_US)
        self.next_call += m
        self.sink.write("calls", later)

    def engagements(self, g, c) -> None:
        """SMS/Zalo after an unanswered first call; a few leads reply (an engagement)."""
        rng = self.rng
        first_miss = np.flatnonzero(c["status"] != 0)
        lead, first_idx = np.unique(c["lead"][first_miss], return_index=True)
        sel = first_miss[first_idx][rng.random(lead.size) < 0.35]
        n = sel.size
        t_out = c["t"][sel] + 600
        reply = rng.random(n) < 0.15
        t_in = np.minimum(t_out[reply] + rng.exponential(3 * 3600, reply.sum()), PERIOD_S - 60)
        m = n + reply.sum()
        no = self.next_engagement + np.arange(m)
        self.next_engagement += m
        chan = rng.choice(3, n, p=[0.35, 0.5, 0.15])
        self.sink.write("engagements", pa.table({
            "engagement_id": ids("E", no),
            "lead_id": ids("L", g + np.concatenate([c["lead"][sel], c["lead"][sel][reply]])),
            "at": local_ts(BASE_US, np.concatenate([t_out, t_in])),
            "channel": pick(("sms", "zalo", "email"), np.concatenate([chan, chan[reply]])),
            "direction": pick(("out", "in"), np.concatenate([np.zeros(n, int), np.ones(reply.sum(), int)]))}))


def _norm(p) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return p / p.sum()


def _choice_rows(rng, p, n) -> np.ndarray:
    return rng.choice(len(p), n, p=p)
