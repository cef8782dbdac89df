"""A mapping's skip/where rules leave rows out, counted; its nulls texts and YAML null / empty
codes in a values map are stored as NULL, never as the text "None" or ""."""

import pytest

from telekpi.errors import ConfigError, InputError
from telekpi.ingest.mapping import load_mapping
from telekpi.ingest.pipeline import import_file
from telekpi.store.warehouse import Warehouse

EXPORT = ("id\twhen\tagent\toutcome\ttalk\n"
          "1\t2026-03-02 08:00:00\tLan\tAGENT\t60\n"
          "2\t2026-03-02 08:01:00\tNULL\tHANG\t0\n"
          "3\t2026-03-02 08:02:00\tNO_SERVER\tHANG\t0\n"
          "4\t2026-03-02 08:03:00\t\tPHANTOM\t0\n"
          "5\t2026-03-02 08:04:00\tHuy\tphantom\t0\n"
          "6\t2026-03-02 08:05:00\tTEST-1\tAGENT\t30\n"
          "7\t2026-03-02 08:06:00\tHuy\tWEIRD\t30\n")
MAPPING = """table: calls
nulls: [NULL]
columns:
  call_id: id
  started_at: when
  talk_s: talk
  agent_id: {column: agent, values: {NO_SERVER: ~, "-": ""}}
  status: {column: outcome, values: {AGENT: answered, HANG: abandoned, PHANTOM: failed}}
"""


def imported(ws, db, settings, mapping_text, export=EXPORT):
    (ws / "calls.tsv").write_text(export, encoding="utf-8")
    (ws / "m.yaml").write_text(mapping_text, encoding="utf-8")
    with Warehouse(db) as wh:
        r = import_file(wh, "calls", ws / "calls.tsv", settings, mapping=load_mapping(ws / "m.yaml"))
        rows = wh.con.execute("SELECT call_id, agent_id FROM calls ORDER BY call_id").fetchall()
        logged = wh.con.execute("SELECT rows_read, skipped FROM imports").fetchall()
    return r, dict(rows), logged


def test_yaml_null_empty_code_and_null_text_are_stored_as_null(ws, db, settings):
    r, agents, __ = imported(ws, db, settings, MAPPING)
    assert agents["2"] is None          # the text NULL, listed under nulls
    assert agents["3"] is None          # NO_SERVER: ~ (was the text "None")
    assert agents["4"] is None          # an empty cell
    assert agents["1"] == "Lan"
    with Warehouse(db) as wh:
        # nothing stored as "" or "None": no blank agent group
        assert wh.con.execute("SELECT count(*) FROM calls WHERE agent_id IN ('', 'None')").fetchall() == [(0,)]


def test_empty_string_in_a_values_map_is_null(ws, db, settings):
    export = "id\twhen\tagent\toutcome\ttalk\n1\t2026-03-02 08:00:00\t-\tAGENT\t60\n"
    __, agents, __ = imported(ws, db, settings, MAPPING, export)
    assert agents == {"1": None}


def test_skip_rule_counts_skipped_rows_and_counts_add_up(ws, db, settings):
    r, agents, logged = imported(ws, db, settings, MAPPING + "skip:\n  - {column: outcome, values: [PHANTOM]}\n"
                                 "  - {column: agent, pattern: '^TEST-'}\n")
    c = r.counts
    assert (c.rows_read, c.inserted, c.skipped, c.quarantined) == (7, 3, 3, 1)   # 7 is WEIRD
    assert c.rows_read == c.inserted + c.updated + c.unchanged + c.skipped + c.quarantined
    assert sorted(agents) == ["1", "2", "3"]
    assert logged == [(7, 3)]


def test_where_rule_keeps_only_matching_rows(ws, db, settings):
    r, agents, __ = imported(ws, db, settings, MAPPING + "where: {column: outcome, values: [agent, hang]}\n")
    assert sorted(agents) == ["1", "2", "3", "6"]
    assert (r.counts.skipped, r.counts.quarantined) == (3, 0)


def test_empty_rule_and_reimport_counts_skipped_again(ws, db, settings):
    text = MAPPING + "skip: {column: agent, empty: true}\n"
    r, agents, __ = imported(ws, db, settings, text)
    assert "2" not in agents and "4" not in agents and "3" in agents   # NULL text is empty too
    assert r.counts.skipped == 2
    r, __, __ = imported(ws, db, settings, text)
    assert (r.counts.unchanged, r.counts.skipped, r.counts.rows_read) == (4, 2, 7)


@pytest.mark.parametrize("rule, message", [
    ("skip: [PHANTOM]", "'skip' must be a list of rules such as {column: Result, values: [PHANTOM]}"),
    ("skip: {values: [X]}", "a 'skip' rule needs a column and at least one of values, pattern or empty"),
    ("where: {column: a}", "a 'where' rule needs a column and at least one of values, pattern or empty"),
    ("skip: {column: a, is: X}", "unknown key 'is' in a 'skip' rule"),
    ("skip: {column: a, pattern: '('}", "pattern of a 'skip' rule is not a valid regular expression"),
    ("skip: {column: a, empty: maybe}", "'empty' of a 'skip' rule must be true or false"),
    ("nulls: [{a: 1}]", "'nulls' must list the texts that mean an empty cell"),
])
def test_bad_rules_are_one_sentence_with_the_line(ws, rule, message):
    (ws / "m.yaml").write_text(MAPPING + rule + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_mapping(ws / "m.yaml")
    assert message in str(e.value) and "m.yaml, line" in str(e.value)


def test_a_rule_on_a_column_the_file_lacks_is_named(ws, db, settings):
    with pytest.raises(InputError, match="has no column 'queue', which a skip/where rule of the mapping"):
        imported(ws, db, settings, MAPPING + "skip: {column: queue, values: [IVR]}\n")
