"""Speech figures from who-speaks-when, computed by hand."""

import pytest

from telekpi.audio.speech import figures


def test_stereo_figures_by_hand():
    # agent 1–5 and 9–12; customer 4.5–7 (starts over the agent: 0.5 s together) and 11–11.3
    # (0.3 s over the agent: under the 0.5 s threshold, no interruption)
    agent = [(1.0, 5.0), (9.0, 12.0)]
    customer = [(4.5, 7.0), (11.0, 11.3)]
    f = figures(60.0, agent, customer)
    assert f.layout == "stereo"
    assert f.agent_talk_s == 7.0 and f.customer_talk_s == pytest.approx(2.8)
    assert f.agent_talk_ratio == pytest.approx(7.0 / 9.8, abs=1e-3)
    assert f.speech_s == pytest.approx(9.0)            # 1–7 and 9–12
    assert f.silence_s == pytest.approx(2.0)           # 7–9 only: before 1 s and after 12 s is no dead air
    assert f.longest_silence_s == pytest.approx(2.0)
    assert f.overtalk_s == pytest.approx(0.8)          # 4.5–5 and 11–11.3
    assert (f.customer_interruptions, f.agent_interruptions) == (1, 0)
    assert f.first_words_s == 1.0
    assert f.longest_monologue_s == 4.0                # the customer spoke between the agent's turns
    assert f.switches_per_min == pytest.approx(3.0)    # a c a c in order of start: 3 changes in 1 min


def test_monologue_joins_short_pauses_without_the_customer():
    agent = [(0.0, 10.0), (11.0, 20.0), (30.0, 31.0)]   # 1 s pause joined; 10 s gap is not
    f = figures(40.0, agent, [(25.0, 26.0)])
    assert f.longest_monologue_s == 20.0


def test_agent_interrupting_and_short_overlaps():
    f = figures(30.0, [(3.0, 6.0)], [(0.0, 4.0)], interruption_min_s=0.5)
    assert (f.agent_interruptions, f.customer_interruptions) == (1, 0)
    assert figures(30.0, [(3.0, 6.0)], [(0.0, 3.4)]).agent_interruptions == 0   # 0.4 s together
    assert figures(30.0, [(3.0, 6.0)], [(0.0, 3.4)], interruption_min_s=0.3).agent_interruptions == 1


def test_mono_gives_speech_and_silence_only():
    f = figures(20.0, None, mono=[(1.0, 4.0), (7.0, 9.0)])
    assert f.layout == "mono"
    assert (f.speech_s, f.silence_s, f.longest_silence_s) == (5.0, 3.0, 3.0)
    assert f.agent_talk_s is None and f.agent_talk_ratio is None and f.overtalk_s is None
    assert f.agent_interruptions is None and f.first_words_s is None


def test_a_silent_call():
    f = figures(10.0, [], [])
    assert (f.speech_s, f.silence_s, f.agent_talk_ratio, f.first_words_s) == (0.0, 0.0, None, None)
