"""The call id in a recording's file name: Asterisk, FreeSWITCH, a name, --pattern."""

from pathlib import Path

import pytest

from telekpi.audio.naming import call_id_of, compile_pattern
from telekpi.errors import UsageError


@pytest.mark.parametrize(("name", "call_id"), [
    ("out-0901234567-1001-20260301-101500-1709262900.123.wav", "1709262900.123"),   # FreePBX MixMonitor
    ("q-600-0281234567-20260301-101500-1709262900.45.WAV", "1709262900.45"),
    ("1709262900.7.gsm", "1709262900.7"),
    ("0b6cc3b2-6f43-4d4d-9f45-2a8c1b1e7f10.wav", "0b6cc3b2-6f43-4d4d-9f45-2a8c1b1e7f10"),  # FreeSWITCH ${uuid}
    ("CALL-000123.mp3", "CALL-000123"),
    ("C000123.whisper.json", "C000123"),   # a transcript named after its recording
])
def test_default_names(name, call_id):
    assert call_id_of(Path("/rec/2026/03/01") / name) == call_id


def test_pattern():
    rx = compile_pattern(r"^rec_(?P<call_id>\d+)_")
    assert call_id_of(Path("rec_42_agent7.wav"), rx) == "42"
    assert call_id_of(Path("other.wav"), rx) is None


@pytest.mark.parametrize("bad", [r"(\d+", r"\d+"])
def test_bad_patterns_are_one_sentence(bad):
    with pytest.raises(UsageError) as e:
        compile_pattern(bad)
    assert "--pattern" in str(e.value)
