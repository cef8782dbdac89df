"""The warehouse side of call analysis from words: transcripts with the files they came
from, QA results and items, the customer's sentiment per call. The tables are made by
``store/migrations.py`` (version 6); here is every statement that reads or writes them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from telekpi.store.warehouse import Warehouse


def now() -> datetime:
    return datetime.now(UTC)


def _insert(con, table: str, rows: list[tuple]) -> None:
    """Rows (in the table's column order) in one statement through Arrow: executemany costs
    a round trip a row, too slow for the thousands of rows a QA run writes."""
    import pyarrow as pa

    if not rows:
        return
    names = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    batch = pa.table({n: pa.array([r[i] for r in rows]) for i, n in enumerate(names)})
    con.register("__rows", batch)
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM __rows")
    finally:
        con.unregister("__rows")


def transcript_hash(wh: Warehouse, call_id: str) -> str | None:
    row = wh.con.execute("SELECT content_hash FROM transcript_files WHERE call_id = ?", [call_id]).fetchone()
    return row[0] if row else None


def replace_transcript(wh: Warehouse, call_id: str, rows: list[tuple], *, source: str, fmt: str,
                       content_hash: str) -> None:
    """The call's transcript becomes ``rows`` (the table's columns), in one transaction."""
    con = wh.con
    con.begin()
    try:
        con.execute("DELETE FROM transcripts WHERE call_id = ?", [call_id])
        con.execute("DELETE FROM transcript_files WHERE call_id = ?", [call_id])
        _insert(con, "transcripts", rows)
        con.execute("INSERT INTO transcript_files VALUES (?, ?, ?, ?, ?, ?)",
                    [call_id, source, fmt, content_hash, len(rows), now()])
        con.commit()
    except BaseException:
        con.rollback()
        raise


def quarantine_file(wh: Warehouse, source: str, reason: str) -> None:
    wh.con.execute('INSERT INTO quarantine (source, line, "table", "column", raw, reason, imported_at) '
                   "VALUES (?, NULL, 'transcripts', NULL, NULL, ?, ?)", [source, reason, now()])


def log_import(wh: Warehouse, source: str, fmt: str, read: int, inserted: int, updated: int,
               unchanged: int, quarantined: int) -> None:
    wh.con.execute('INSERT INTO imports (source, "table", format, rows_read, inserted, updated, unchanged, '
                   "quarantined, imported_at, skipped) VALUES (?, 'transcripts', ?, ?, ?, ?, ?, ?, ?, 0)",
                   [source, fmt, read, inserted, updated, unchanged, quarantined, now()])


def known_calls(wh: Warehouse, call_ids: Iterable[str]) -> set[str]:
    ids = list(call_ids)
    if not ids:
        return set()
    return {r[0] for r in wh.con.execute("SELECT call_id FROM calls WHERE call_id IN "
                                         "(SELECT unnest(?))", [ids]).fetchall()}


def transcripts_to_score(wh: Warehouse, since: datetime | None, until: datetime | None,
                         direction: str | None = None) -> list[dict]:
    """The transcribed calls (with their start and agent) between ``since`` and ``until`` (of
    ``direction`` if given), each with its transcript hash and utterances in order."""
    where: list[str] = ["TRUE"]
    params: list[object] = []
    if direction is not None:
        where.append("c.direction = ?")
        params.append(direction)
    if since is not None:
        where.append("c.started_at >= ?")
        params.append(since)
    if until is not None:
        where.append("c.started_at < ?")
        params.append(until)
    calls = wh.con.execute(
        "SELECT f.call_id, c.started_at, c.agent_id, f.content_hash FROM transcript_files f "
        f"JOIN calls c ON c.call_id = f.call_id WHERE {' AND '.join(where)} ORDER BY f.call_id",
        params).fetchall()
    if not calls:
        return []
    utt: dict[str, list[tuple]] = {}
    for row in wh.con.execute(
            "SELECT call_id, speaker, start_s, end_s, text FROM transcripts WHERE call_id IN "
            "(SELECT unnest(?)) ORDER BY call_id, seq", [[c[0] for c in calls]]).fetchall():
        utt.setdefault(row[0], []).append(row[1:])
    return [{"call_id": c[0], "started_at": c[1], "agent_id": c[2], "transcript_hash": c[3],
             "utterances": utt.get(c[0], [])} for c in calls]


def scored_hashes(wh: Warehouse, form_id: str) -> dict[str, tuple[str, str]]:
    """call → (form hash, transcript hash) of its stored QA result for the form."""
    return {r[0]: (r[1], r[2]) for r in wh.con.execute(
        "SELECT call_id, form_hash, transcript_hash FROM qa_results WHERE form_id = ?", [form_id]).fetchall()}


def speech_figures(wh: Warehouse, call_ids: list[str]) -> dict[str, dict]:
    """The speech figures per call from ``call_speech`` (speech analytics, the recordings'
    side); ``interruptions`` are the agent's (starting over the customer)."""
    cur = wh.con.execute("SELECT call_id, agent_talk_ratio, longest_silence_s, agent_interruptions, silence_s, "
                         "overtalk_s FROM call_speech WHERE call_id IN (SELECT unnest(?))", [call_ids])
    return {r[0]: {"agent_talk_ratio": r[1], "longest_silence_s": r[2], "interruptions": r[3],
                   "silence_s": r[4], "overtalk_s": r[5]} for r in cur.fetchall()}


def save_qa(wh: Warehouse, results: list[tuple], items: list[tuple]) -> None:
    """QA results (qa_results' columns) and their items (qa_items'), replacing the calls' and
    forms' earlier ones, in one transaction."""
    if not results:
        return
    con = wh.con
    con.begin()
    try:
        keys = [(r[0], r[1]) for r in results]
        con.execute("CREATE TEMP TABLE IF NOT EXISTS __qa_keys (call_id VARCHAR, form_id VARCHAR)")
        con.execute("DELETE FROM __qa_keys")
        _insert(con, "__qa_keys", keys)
        for table in ("qa_results", "qa_items"):
            con.execute(f"DELETE FROM {table} t USING __qa_keys k WHERE t.call_id = k.call_id "
                        "AND t.form_id = k.form_id")
        _insert(con, "qa_results", results)
        _insert(con, "qa_items", items)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def sentiment_hashes(wh: Warehouse) -> dict[str, str]:
    return dict(wh.con.execute("SELECT call_id, transcript_hash FROM call_sentiment").fetchall())


def save_sentiment(wh: Warehouse, rows: list[tuple]) -> None:
    """call_sentiment rows (its columns), replacing the calls' earlier ones."""
    if not rows:
        return
    con = wh.con
    con.begin()
    try:
        con.execute("DELETE FROM call_sentiment WHERE call_id IN (SELECT unnest(?))", [[r[0] for r in rows]])
        _insert(con, "call_sentiment", rows)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def csat_training_rows(wh: Warehouse) -> list[dict]:
    """Calls with a survey and analytics: whether the customer answered satisfied (score ≥
    0.8 × scale_max, as the csat metric counts) beside the call's features (``features``)."""
    return [r for r in features(wh) if r["satisfied"] is not None]


def features(wh: Warehouse) -> list[dict]:
    """Every call with sentiment: its sentiment, customer utterances, mean QA score, speech
    figures (when speech analytics ran) and its survey's satisfied flag (None: no survey)."""
    speech_cols = "sp.agent_talk_ratio, sp.longest_silence_s, sp.agent_interruptions"
    speech_join = " LEFT JOIN call_speech sp ON sp.call_id = s.call_id"
    cur = wh.con.execute(
        "SELECT s.call_id, s.sentiment, s.customer_utterances, "
        "(SELECT avg(q.score) FROM qa_results q WHERE q.call_id = s.call_id), " + speech_cols + ", "
        "(SELECT CAST(max(CASE WHEN v.score >= 0.8 * v.scale_max THEN 1 ELSE 0 END) AS INT) "
        "FROM surveys v WHERE v.call_id = s.call_id) FROM call_sentiment s" + speech_join
        + " ORDER BY s.call_id")
    return [{"call_id": r[0], "sentiment": r[1], "customer_utterances": r[2], "qa_score": r[3],
             "agent_talk_ratio": r[4], "longest_silence_s": r[5], "interruptions": r[6], "satisfied": r[7]}
            for r in cur.fetchall()]


def set_predicted(wh: Warehouse, values: dict[str, float]) -> None:
    if not values:
        return
    wh.con.execute("CREATE TEMP TABLE IF NOT EXISTS __pred (call_id VARCHAR, p DOUBLE)")
    wh.con.execute("DELETE FROM __pred")
    _insert(wh.con, "__pred", list(values.items()))
    wh.con.execute("UPDATE call_sentiment s SET predicted_csat = p.p FROM __pred p WHERE p.call_id = s.call_id")


def call_words(wh: Warehouse, call_id: str) -> dict:
    """A call's transcript and QA results with their items (the call view and the API)."""
    con = wh.con
    transcript = [dict(zip(("seq", "speaker", "start_s", "end_s", "text", "confidence"), r, strict=True))
                  for r in con.execute("SELECT seq, speaker, start_s, end_s, text, confidence FROM transcripts "
                                       "WHERE call_id = ? ORDER BY seq", [call_id]).fetchall()]
    qa = []
    for r in con.execute("SELECT form_id, score, passed, compliant, pending, scored_at FROM qa_results "
                         "WHERE call_id = ? ORDER BY form_id", [call_id]).fetchall():
        items = [dict(zip(("item_id", "section", "kind", "status", "weight", "auto_fail", "evidence", "at_s"),
                          i, strict=True))
                 for i in con.execute("SELECT item_id, section, kind, status, weight, auto_fail, evidence, at_s "
                                      "FROM qa_items WHERE call_id = ? AND form_id = ? ORDER BY rowid",
                                      [call_id, r[0]]).fetchall()]
        qa.append({"form_id": r[0], "score": r[1], "passed": bool(r[2]), "compliant": bool(r[3]),
                   "pending": r[4], "scored_at": r[5], "items": items})
    s = con.execute("SELECT sentiment, negative, predicted_csat FROM call_sentiment WHERE call_id = ?",
                    [call_id]).fetchone()
    return {"transcript": transcript, "qa": qa,
            "sentiment": None if s is None else {"score": s[0], "negative": bool(s[1]), "predicted_csat": s[2]}}
