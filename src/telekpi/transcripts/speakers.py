"""Who is the agent in a transcript: the speaker or channel the option or the setting
``transcript_agent`` names, or found by itself (``auto``).

``auto``: labels that say who they are (Agent, Customer, Nhân viên, Khách hàng, พนักงาน,
ลูกค้า, 客服, 客户, …) are taken at their word; otherwise the first channel or speaker of the
file is the agent (channel 0 of AWS and Deepgram, channelTag 1 of Google, the first speaker
diarization found: agents speak first on most calls, and a dialer records the agent on its
first channel). ``first`` and ``second`` choose by that order; any other value is a label as
the file writes it (``ch_1``, ``spk_0``, ``2``, ``Anna``). Every other label is the customer;
utterances without one are unknown."""

from __future__ import annotations

from telekpi.errors import InputError
from telekpi.i18n import _
from telekpi.transcripts.formats import Parsed

AGENT_WORDS = ("agent", "rep", "representative", "operator", "advisor", "nhân viên", "tư vấn viên",
               "tổng đài viên", "พนักงาน", "เจ้าหน้าที่", "客服", "坐席", "座席", "專員", "专员")
CUSTOMER_WORDS = ("customer", "caller", "client", "khách hàng", "khách", "ลูกค้า", "客户", "客戶",
                  "顾客", "顧客")


def _says(label: str, words: tuple[str, ...]) -> bool:
    low = label.casefold().strip()
    return any(low == w or low.startswith(w + " ") for w in words)


def roles(parsed: Parsed, agent: str, source: str) -> dict[str, str]:
    """label → agent | customer."""
    labels = parsed.labels
    if not labels:
        return {}
    choice = agent.strip()
    if choice == "auto":
        named = {lb: "agent" if _says(lb, AGENT_WORDS) else "customer" for lb in labels
                 if _says(lb, AGENT_WORDS) or _says(lb, CUSTOMER_WORDS)}
        if any(v == "agent" for v in named.values()):
            return {lb: named.get(lb, "customer") for lb in labels}
        if named:   # only the customer says who they are: the one left is the agent
            rest = [lb for lb in labels if lb not in named]
            return {lb: named.get(lb, "agent" if rest and lb == rest[0] else "customer") for lb in labels}
        choice = "first"
    if choice in ("first", "second"):
        n = 0 if choice == "first" else 1
        if n >= len(labels):
            raise InputError(_("the agent is the second speaker, but the transcript has one ({label})").format(
                label=labels[0]), file=source)
        return {lb: "agent" if i == n else "customer" for i, lb in enumerate(labels)}
    if choice not in labels:
        raise InputError(_("the agent speaker {label} is not in the transcript, which has: {labels}").format(
            label=repr(choice), labels=", ".join(labels)), file=source)
    return {lb: "agent" if lb == choice else "customer" for lb in labels}
