"""One call scored on a QA form: each item pass, fail, pending (a person scores it) or not
scored (its evidence is missing: no speech analytics for a speech item), and the call's
score, pass and compliance.

score = the points earned / the weights of the items scored (items pending or not scored
are left out and the rest re-weighed): a passed item earns its weight, a failed one nothing,
an item on a scale (status ``scored``) its weight × mark / scale (4 on a scale of 5: 0.8 of
its weight); 0 when an auto-fail item failed. The call passes when no auto-fail item failed
and the score reaches the form's pass_mark. A call with nothing scored has no score (and does not pass)."""

from __future__ import annotations

from dataclasses import dataclass

from telekpi.qa.forms import Form, Item
from telekpi.qa.match import heard, normalize

EXACT = 10   # decimals kept of a score (as scorecards keep theirs)


@dataclass(frozen=True)
class ItemResult:
    item: Item
    status: str                 # pass | fail | scored (on a scale) | pending | not_scored
    evidence: str | None = None
    at_s: float | None = None
    mark: float | None = None   # an item on a scale: the reviewer's mark, 0..item.scale

    @property
    def earned(self) -> float:
        """The share of the item's weight it earns: 1 passed, 0 failed, mark / scale scored."""
        if self.status == "scored" and self.item.scale and self.mark is not None:
            return self.mark / self.item.scale
        return 1.0 if self.status == "pass" else 0.0


@dataclass(frozen=True)
class CallResult:
    score: float | None
    passed: bool
    compliant: bool
    pending: int
    items: tuple[ItemResult, ...]


class Scorer:
    """A form with its phrases normalised once, to score many calls."""

    def __init__(self, form: Form):
        self.form = form
        self.phrases = {i.id: [normalize(p, form.language, form.fold_diacritics) for p in i.phrases]
                        for i in form.items}

    def text(self, utterances: list[tuple]) -> list[tuple[str, float | None, str, str]]:
        """(speaker, start_s, normalised text, text) of each utterance."""
        return [(u[0], u[1], normalize(u[3], self.form.language, self.form.fold_diacritics), u[3])
                for u in utterances]

    def score(self, utterances: list[tuple], speech: dict | None) -> CallResult:
        """``utterances``: (speaker, start_s, end_s, text) in order; ``speech``: the call's
        speech figures, None when there are none."""
        said = self.text(utterances)
        attributed = any(s in ("agent", "customer") for s, *_ in said)
        heard_by: dict[tuple, tuple[list, str]] = {}   # (speaker, within_s) → its utterances, joined
        results = []
        for item in self.form.items:
            if item.kind == "human":
                results.append(ItemResult(item, "pending"))
                continue
            if item.kind == "speech":
                results.append(_speech(item, speech))
                continue
            key = (item.speaker, item.within_s)
            if key not in heard_by:
                # without speakers (a mono transcript, Whisper) everything said is looked at
                mine = [u for u in said if not attributed or u[0] == item.speaker]
                if item.within_s is not None:
                    mine = [u for u in mine if u[1] is None or u[1] <= item.within_s]
                heard_by[key] = (mine, "".join(u[2] for u in mine))
            found = self._find(item, *heard_by[key])
            if item.kind == "phrase":
                results.append(ItemResult(item, "pass", *found) if found else ItemResult(item, "fail", None))
            else:
                results.append(ItemResult(item, "fail", *found) if found else ItemResult(item, "pass"))
        return summarize(self.form, results)

    def _find(self, item: Item, said: list[tuple[str, float | None, str, str]], whole: str
              ) -> tuple[str, float | None] | None:
        if not said:
            return None
        threshold = item.threshold or self.form.threshold
        phrases = self.phrases[item.id]
        hit = heard(phrases, whole, threshold)
        if hit is None:
            return None
        exact = hit[1] == 100.0
        for u in said:   # which utterance: the evidence and its time
            if (hit[0] in u[2]) if exact else heard(phrases, u[2], threshold):
                return u[3], u[1]
        return " ".join(u[3] for u in said)[:300], said[0][1]   # heard across two utterances


def _speech(item: Item, speech: dict | None) -> ItemResult:
    if speech is None:
        return ItemResult(item, "not_scored", "no speech analytics")
    if item.talk_ratio is not None:
        v = speech.get("agent_talk_ratio")
        ok = v is not None and item.talk_ratio[0] <= v <= item.talk_ratio[1]
        text = f"agent_talk_ratio {v:.2f}" if v is not None else None
    elif item.max_silence_s is not None:
        v = speech.get("longest_silence_s")
        ok = v is not None and v <= item.max_silence_s
        text = f"longest_silence_s {v:.1f}" if v is not None else None
    else:
        v = speech.get("interruptions")
        ok = v is not None and item.max_interruptions is not None and v <= item.max_interruptions
        text = f"interruptions {v:g}" if v is not None else None
    if v is None:
        return ItemResult(item, "not_scored", "no speech analytics")
    return ItemResult(item, "pass" if ok else "fail", text)


def summarize(form: Form, results: list[ItemResult]) -> CallResult:
    compliant = not any(r.item.auto_fail and r.status == "fail" for r in results)
    scored = [r for r in results if r.status in ("pass", "fail", "scored")]
    weight = sum(r.item.weight for r in scored)
    if not scored or not weight:
        score = None
    elif not compliant:
        score = 0.0
    else:
        score = round(sum(r.item.weight * r.earned for r in scored) / weight, EXACT)
    return CallResult(score, compliant and score is not None and score >= form.pass_mark, compliant,
                      sum(1 for r in results if r.status == "pending"), tuple(results))
