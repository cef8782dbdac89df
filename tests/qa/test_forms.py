"""QA forms: the examples load; a wrong form is every problem with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from telekpi.errors import ConfigError
from telekpi.qa.forms import load_form

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "telekpi" / "qa" / "examples"


def test_the_examples_load():
    care = load_form(EXAMPLES / "inbound-care-en.yaml")
    sales = load_form(EXAMPLES / "outbound-sales-vi.yaml")
    assert care.language == "en" and sales.language == "vi" and sales.fold_diacritics
    assert {i.kind for i in care.items} == {"phrase", "forbidden", "speech", "human"}
    assert [i.id for i in care.items if i.auto_fail] == ["recording_disclosure", "no_blame"]
    assert care.sections[0] == "Opening" and sales.sections[0] == "Mở đầu"
    assert len(care.hash) == 64 and care.hash != sales.hash


def test_every_problem_with_its_line(tmp_path):
    f = tmp_path / "form.yaml"
    f.write_text("""name: x
language: fr
pass_mark: 80
colour: blue
sections:
  - name: A
    items:
      - {id: hello, kind: phrase, weight: 10}
      - {id: hello, kind: shout, weight: 5}
      - {id: ratio, kind: speech, agent_talk_ratio: [0.8, 0.2]}
      - {id: late, kind: phrase, phrases: [hi], within_s: -3}
""")
    with pytest.raises(ConfigError) as e:
        load_form(f)
    text = str(e.value)
    assert text.startswith("7 problem(s) in the QA form:")
    for line, words in ((2, "language 'fr' is not one of"), (3, "pass_mark must be a share"),
                        (4, "unknown key 'colour'"), (8, "hello: phrases must be a list"),
                        (9, "hello: kind 'shout' is not one of"), (10, "ratio: agent_talk_ratio is a range"),
                        (11, "late: within_s must be")):
        assert f"{f}:{line}: {words}" in text, (line, text)


@pytest.mark.parametrize("text, words", [
    ("[1, 2]", "a QA form is a YAML mapping"),
    ("name: x\nsections: [", "not valid YAML"),
    ("name: x\n", "sections: list at least one section"),
])
def test_not_a_form(tmp_path, text, words):
    f = tmp_path / "form.yaml"
    f.write_text(text)
    with pytest.raises(ConfigError, match=words):
        load_form(f)


def test_unreadable(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the QA form"):
        load_form(tmp_path / "absent.yaml")
    f = tmp_path / "latin1.yaml"
    f.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="is not UTF-8 text"):
        load_form(f)


def test_a_human_item_on_a_scale(tmp_path):
    f = tmp_path / "scaled.yaml"
    f.write_text("name: S\nsections:\n  - name: A\n    items:\n"
                 "      - {id: tone, kind: human, weight: 2, scale: 5}\n"
                 "      - {id: greeting, kind: phrase, phrases: [hello]}\n")
    form = load_form(f)
    assert [(i.id, i.scale) for i in form.items] == [("tone", 5), ("greeting", None)]


@pytest.mark.parametrize(("item", "says"), [
    ("{id: tone, kind: human, scale: 1}", "scale must be a whole number from 2 to 100"),
    ("{id: tone, kind: human, scale: 2.5}", "scale must be a whole number"),
    ("{id: tone, kind: human, scale: true}", "scale must be a whole number"),
    ("{id: tone, kind: phrase, phrases: [hi], scale: 5}", "only an item a person scores"),
    ("{id: tone, kind: human, scale: 5, auto_fail: true}", "cannot auto-fail"),
])
def test_a_bad_scale_is_said_with_its_line(tmp_path, item, says):
    f = tmp_path / "bad.yaml"
    f.write_text(f"name: S\nsections:\n  - name: A\n    items:\n      - {item}\n")
    with pytest.raises(ConfigError, match=says) as e:
        load_form(f)
    assert "bad.yaml:5" in str(e.value)
