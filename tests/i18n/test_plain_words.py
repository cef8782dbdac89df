"""What users read is in their language and in plain words (issue 21): metric formulas carry no
glosses from another language ("(接通率)" in the English), and no message speaks the project's
internal jargon ("seed 002: stop after 5", "the seeds' bands") or shows statistics unasked
(`p = 2.1e-05`): those stay behind --stats and the dashboard's "Statistics"."""

from __future__ import annotations

import re

import pytest

from telekpi.catalog.loader import load_catalog
from telekpi.cli.app import root_command
from telekpi.cli.help_text import texts
from telekpi.i18n import LANGS, language, translate
from telekpi.i18n.catalogs import extract

CJK = re.compile(r"[\u3000-\u9fff]")
THAI = re.compile(r"[\u0e00-\u0e7f]")
VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")
JARGON = re.compile(r"\bseeds?\b|seeds'|seed's|z-test|\bp = |p ≥|p-value", re.I)
# The statistics a user asks for (`diagnose --stats`, the dashboard's details) may name them.
ON_REQUEST = {"{a} vs {b}: z = {z}, p = {p} (two-proportion z-test, 95 % level)",
              "Show the statistics behind each finding: 95 % intervals, z and p of the A/B tests."}
# The random seed of `telekpi demo --seed`, named as such.
NAMED = re.compile(r"--seed|\(seed \{seed\}\)|Random seed|same seed")

METRICS = load_catalog().metrics.values()


def foreign(text: str, lang: str) -> list[str]:
    """Words in another language's script than ``lang`` writes with."""
    scripts = {"en": (CJK, THAI, VIETNAMESE), "vi": (CJK, THAI), "th": (CJK, VIETNAMESE),
               "zh_Hans": (THAI, VIETNAMESE), "zh_Hant": (THAI, VIETNAMESE)}[lang]
    return [m.group() for s in scripts for m in s.finditer(text)]


@pytest.mark.parametrize("lang", LANGS)
def test_formulas_carry_no_glosses_in_another_language(lang):
    with language(lang):
        bad = {m.id: translate(m.description) for m in METRICS
               if foreign(translate(m.description), lang) or JARGON.search(translate(m.description))}
    assert not bad, bad


def test_no_message_speaks_jargon():
    template = extract(texts(root_command()))
    bad = []
    for m in template:
        for text in (m.id if isinstance(m.id, tuple) else (m.id,)):
            if text and text not in ON_REQUEST and JARGON.search(NAMED.sub("", text)):
                bad.append(text)
    assert not bad, bad
