"""One valid row per canonical table, as text a file would hold."""

SAMPLE = {
    "calls": {"call_id": "c1", "started_at": "2026-01-31 23:30:00", "agent_id": "a1", "campaign_id": "k1",
              "lead_id": "l1", "direction": "outbound", "status": "answered", "disposition": "SALE",
              "ring_s": "5", "wait_s": "", "talk_s": "0:02:00", "hold_s": "0", "wrap_s": "15",
              "script": "A", "mos": "4.2", "recording_url": "https://rec.example/c1.mp3",
              "queue": "", "queued_at": "", "caller_number": "1001", "called_number": "+84 901 234 567",
              "line": "+84 28 7300 1234", "transferred_to": "", "hangup_by": "Customer"},
    "leads": {"lead_id": "l1", "created_at": "2026-01-31 08:00", "campaign_id": "k1", "source": "web",
              "segment": "sme", "customer_id": "u1", "name": "Trần Thị Bình", "phone": "0901234567"},
    "orders": {"order_id": "o1", "ordered_at": "2026-01-31 23:45", "amount": "1500000", "status": "completed",
               "customer_id": "u1", "lead_id": "l1", "agent_id": "a1", "campaign_id": "k1",
               "call_id": "c1", "product": "gold"},
    "costs": {"cost_id": "x1", "incurred_on": "2026-01-31", "amount": "2000000", "category": "telco",
              "agent_id": "", "team_id": "t1", "campaign_id": "k1", "period_end": "2026-02-27"},
    "agents": {"agent_id": "a1", "name": "Lê Văn An", "team_id": "t1", "site": "outsourced",
               "vendor": "CallPro", "supervisor_id": "s1", "hired_on": "2025-06-01", "level": "junior"},
    "teams": {"team_id": "t1", "name": "Hà Nội 1", "supervisor_id": "s1"},
    "campaigns": {"campaign_id": "k1", "name": "Bảo hiểm Q1", "industry": "insurance", "product": "gold",
                  "starts_on": "2026-01-01", "ends_on": "2026-03-31", "kind": "collections"},
    "surveys": {"response_id": "r1", "answered_at": "2026-02-01 09:00", "score": "4", "scale_max": "5",
                "question_id": "q1", "call_id": "c1", "customer_id": "u1", "agent_id": "a1"},
    "tickets": {"ticket_id": "tk1", "opened_at": "2026-02-01 09:00", "first_response_at": "2026-02-01 09:30",
                "resolved_at": "2026-02-02 10:00", "customer_id": "u1", "agent_id": "a1",
                "channel": "phone", "priority": "high"},
    "agent_states": {"agent_id": "a1", "state": "available", "started_at": "2026-02-01 08:00",
                     "ended_at": "2026-02-01 08:30", "reason": ""},
    "engagements": {"engagement_id": "e1", "lead_id": "l1", "at": "2026-02-01 10:00", "channel": "zalo",
                    "direction": "in"},
    "call_speech": {"call_id": "c1", "layout": "stereo", "duration_s": "181.25", "speech_s": "150.5",
                    "silence_s": "20", "longest_silence_s": "6.5", "agent_talk_s": "95.5",
                    "customer_talk_s": "61", "agent_talk_ratio": "0.61", "overtalk_s": "6",
                    "agent_interruptions": "2", "customer_interruptions": "1", "longest_monologue_s": "31.5",
                    "first_words_s": "1.2", "switches_per_min": "8.5", "vad": "webrtc"},
    "dnc": {"number": "+84901234567", "requested_at": "2026-02-01 09:00", "source": "complaint"},
    "schedules": {"agent_id": "a1", "starts_at": "2026-02-01 08:00", "ends_at": "2026-02-01 12:00",
                  "activity": "phones"},
    "qa_results": {"call_id": "c1", "form_id": "outbound-sales-vi", "started_at": "2026-02-01 10:00",
                   "agent_id": "a1", "score": "0.85", "passed": "1", "compliant": "1", "pending": "0",
                   "form_hash": "f0", "transcript_hash": "t0", "scored_at": "2026-02-02 08:00"},
    "call_sentiment": {"call_id": "c1", "started_at": "2026-02-01 10:00", "agent_id": "a1",
                       "sentiment": "-0.35", "negative": "1", "customer_utterances": "7",
                       "predicted_csat": "0.42", "transcript_hash": "t0"},
    "scheduled_callbacks": {"callback_id": "501", "scheduled_at": "2026-02-01 09:05",
                            "due_at": "2026-02-02 10:00", "lead_id": "l1", "campaign_id": "k1",
                            "agent_id": "a1", "recipient": "agent", "status": "open",
                            "comments": "after payday"},
}


def write_table(path, rows: list[dict], fmt: str):
    """Write rows (all text) as CSV, Parquet or XLSX."""
    cols = list(rows[0])
    if fmt == "csv":
        import csv

        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=cols)
            w.writeheader()
            w.writerows(rows)
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in cols}), path)
    elif fmt == "xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(cols)
        for r in rows:
            ws.append([r[c] for c in cols])
        wb.save(path)
    return path


def reimport_changes_nothing(wh, path, settings, table: str = "calls", **import_options):
    """Import ``path`` again and check that neither the table nor the quarantine moved; the
    re-import's counts are returned for the caller's own expectations."""
    from telekpi.ingest.pipeline import import_file

    rows = f'SELECT * FROM "{table}" ORDER BY ALL'
    quarantined = "SELECT * FROM quarantine ORDER BY ALL"
    before, q_before = wh.con.execute(rows).fetchall(), wh.con.execute(quarantined).fetchall()
    again = import_file(wh, table, path, settings, **import_options).counts
    assert (again.inserted, again.updated) == (0, 0)
    assert wh.con.execute(rows).fetchall() == before
    assert wh.con.execute(quarantined).fetchall() == q_before
    return again
