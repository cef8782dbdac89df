"""The transcript readers, each on a file shaped as its vendor's documentation shows it
(the page is named above each fixture), and garbage: one sentence, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telekpi.errors import InputError
from telekpi.transcripts.read import parse
from telekpi.transcripts.speakers import roles

# openai-whisper, `whisper audio.wav --output_format json` (whisper/utils.py WriteJSON: the
# result of transcribe(): text, segments with id, seek, start, end, text, tokens,
# temperature, avg_logprob, compression_ratio, no_speech_prob; language).
WHISPER = {"text": " Good morning, thank you for calling. Hi, I have a problem.", "language": "en", "segments": [
    {"id": 0, "seek": 0, "start": 0.0, "end": 2.4, "text": " Good morning, thank you for calling.",
     "tokens": [50364, 2205], "temperature": 0.0, "avg_logprob": -0.21, "compression_ratio": 1.1,
     "no_speech_prob": 0.01},
    {"id": 1, "seek": 0, "start": 3.0, "end": 4.5, "text": " Hi, I have a problem.", "tokens": [1],
     "temperature": 0.0, "avg_logprob": -0.35, "compression_ratio": 1.0, "no_speech_prob": 0.02}]}

# Amazon Transcribe developer guide, "Example channel identification output (batch)",
# https://docs.aws.amazon.com/transcribe/latest/dg/channel-id-output-batch.html: results.items
# with channel_label, start_time/end_time as text, alternatives[].confidence/content, type.
AWS_CHANNELS = {"jobName": "C42", "accountId": "111122223333", "status": "COMPLETED", "results": {
    "transcripts": [{"transcript": "I've been on hold for an hour. Sorry about that."}],
    "channel_labels": {"number_of_channels": 2, "channels": [
        {"channel_label": "ch_0", "items": [
            {"channel_label": "ch_0", "start_time": "4.86", "end_time": "5.01",
             "alternatives": [{"confidence": "1.0", "content": "I've"}], "type": "pronunciation"}]}]},
    "items": [
        {"id": 0, "channel_label": "ch_1", "start_time": "4.86", "end_time": "5.01",
         "alternatives": [{"confidence": "1.0", "content": "I've"}], "type": "pronunciation"},
        {"id": 1, "channel_label": "ch_1", "start_time": "5.01", "end_time": "5.16",
         "alternatives": [{"confidence": "0.8", "content": "been"}], "type": "pronunciation"},
        {"id": 2, "channel_label": "ch_1", "start_time": "5.16", "end_time": "5.28",
         "alternatives": [{"confidence": "1.0", "content": "on"}], "type": "pronunciation"},
        {"id": 3, "channel_label": "ch_1", "start_time": "5.28", "end_time": "5.62",
         "alternatives": [{"confidence": "1.0", "content": "hold"}], "type": "pronunciation"},
        {"id": 4, "channel_label": "ch_1", "alternatives": [{"confidence": "0.0", "content": "."}],
         "type": "punctuation"},
        {"id": 5, "channel_label": "ch_0", "start_time": "7.2", "end_time": "7.5",
         "alternatives": [{"confidence": "0.9", "content": "Sorry"}], "type": "pronunciation"},
        {"id": 6, "channel_label": "ch_0", "start_time": "7.5", "end_time": "7.7",
         "alternatives": [{"confidence": "0.9", "content": "about"}], "type": "pronunciation"},
        {"id": 7, "channel_label": "ch_0", "start_time": "7.7", "end_time": "7.9",
         "alternatives": [{"confidence": "0.9", "content": "that"}], "type": "pronunciation"},
        {"id": 8, "channel_label": "ch_0", "alternatives": [{"confidence": "0.0", "content": "."}],
         "type": "punctuation"}]}}

# Amazon Transcribe developer guide, "Example diarization output (batch)",
# https://docs.aws.amazon.com/transcribe/latest/dg/diarization-output-batch.html: speaker_labels
# segments, and items with speaker_label.
AWS_SPEAKERS = {"jobName": "my-first-transcription-job", "accountId": "111122223333", "results": {
    "transcripts": [{"transcript": "Hello. Hi there."}],
    "speaker_labels": {"channel_label": "ch_0", "speakers": 2, "segments": [
        {"start_time": "0.5", "speaker_label": "spk_0", "end_time": "0.9", "items": []}]},
    "items": [
        {"id": 0, "start_time": "0.5", "speaker_label": "spk_0", "end_time": "0.9",
         "alternatives": [{"confidence": "0.99", "content": "Hello"}], "type": "pronunciation"},
        {"id": 1, "speaker_label": "spk_0", "alternatives": [{"confidence": "0.0", "content": "."}],
         "type": "punctuation"},
        {"id": 2, "start_time": "1.2", "speaker_label": "spk_1", "end_time": "1.4",
         "alternatives": [{"confidence": "0.97", "content": "Hi"}], "type": "pronunciation"},
        {"id": 3, "start_time": "1.4", "speaker_label": "spk_1", "end_time": "1.7",
         "alternatives": [{"confidence": "0.95", "content": "there"}], "type": "pronunciation"}]}}

# Google Cloud Speech-to-Text v1 REST, RecognizeResponse / SpeechRecognitionResult / WordInfo
# (https://cloud.google.com/speech-to-text/docs/reference/rest/v1/speech/recognize): words with
# startTime/endTime as "1.300s"; with diarization the last result holds every word with its
# speakerTag (https://cloud.google.com/speech-to-text/docs/multiple-voices).
GOOGLE_DIARIZED = {"results": [
    {"alternatives": [{"transcript": "hello how can I help", "confidence": 0.92, "words": [
        {"startTime": "0s", "endTime": "0.400s", "word": "hello"}]}], "languageCode": "en-us"},
    {"alternatives": [{"words": [
        {"startTime": "0s", "endTime": "0.400s", "word": "hello", "speakerTag": 1},
        {"startTime": "0.400s", "endTime": "0.700s", "word": "how", "speakerTag": 1},
        {"startTime": "0.700s", "endTime": "0.900s", "word": "can", "speakerTag": 1},
        {"startTime": "0.900s", "endTime": "1s", "word": "I", "speakerTag": 1},
        {"startTime": "1s", "endTime": "1.300s", "word": "help", "speakerTag": 1},
        {"startTime": "2s", "endTime": "2.500s", "word": "my", "speakerTag": 2},
        {"startTime": "2.500s", "endTime": "3s", "word": "bill", "speakerTag": 2}]}]}]}
# The same API with audioChannelCount 2 and enableSeparateRecognitionPerChannel: results carry
# channelTag (1-based).
GOOGLE_CHANNELS = {"results": [
    {"alternatives": [{"transcript": "thank you for calling", "confidence": 0.9, "words": [
        {"startTime": "0.100s", "endTime": "0.500s", "word": "thank"},
        {"startTime": "0.500s", "endTime": "0.700s", "word": "you"},
        {"startTime": "0.700s", "endTime": "0.900s", "word": "for"},
        {"startTime": "0.900s", "endTime": "1.400s", "word": "calling"}]}], "channelTag": 1},
    {"alternatives": [{"transcript": "hi", "confidence": 0.8, "words": [
        {"startTime": "2s", "endTime": "2.300s", "word": "hi"}]}], "channelTag": 2}]}

# Deepgram pre-recorded /v1/listen with utterances=true and diarize=true
# (https://developers.deepgram.com/docs/utterances, .../docs/diarization): results.utterances[]
# with start, end, confidence, channel, transcript, words, speaker, id.
DEEPGRAM_UTTERANCES = {"metadata": {"request_id": "r1", "channels": 1, "duration": 9.0}, "results": {
    "channels": [{"alternatives": [{"transcript": "x", "confidence": 0.9, "words": []}]}],
    "utterances": [
        {"start": 0.41, "end": 2.1, "confidence": 0.88, "channel": 0,
         "transcript": "Premier phone services, this is Ann.", "words": [], "speaker": 0, "id": "u1"},
        {"start": 2.9, "end": 4.2, "confidence": 0.91, "channel": 0, "transcript": "Hi Ann, my phone is broken.",
         "words": [], "speaker": 1, "id": "u2"}]}}
# Without utterances: results.channels[].alternatives[].words[] with speaker and punctuated_word.
DEEPGRAM_WORDS = {"metadata": {"channels": 1}, "results": {"channels": [{"alternatives": [{
    "transcript": "hello there hi", "confidence": 0.9, "words": [
        {"word": "hello", "start": 15.25, "end": 15.33, "confidence": 0.97, "speaker": 0,
         "speaker_confidence": 0.58, "punctuated_word": "Hello"},
        {"word": "there", "start": 15.33, "end": 15.6, "confidence": 0.95, "speaker": 0,
         "speaker_confidence": 0.58, "punctuated_word": "there."},
        {"word": "hi", "start": 16.0, "end": 16.2, "confidence": 0.9, "speaker": 1,
         "speaker_confidence": 0.6, "punctuated_word": "Hi."}]}]}]}}

# W3C "WebVTT: The Web Video Text Tracks Format", §4 (cue timings with optional hours, voice
# spans <v Name> and <v.class Name>, NOTE blocks).
WEBVTT = """WEBVTT

NOTE exported from the recorder

1
00:01.000 --> 00:04.000
<v Agent>Good morning, this call may be recorded.</v>

00:00:05.500 --> 00:00:07.000 align:start
<v.loud Customer>I want a refund!
"""
# SRT (SubRip): counter, "HH:MM:SS,mmm --> HH:MM:SS,mmm", text; speakers as "NAME:" prefixes.
SRT = """1
00:00:01,000 --> 00:00:03,000
AGENT: Xin chào, em là Lan.

2
00:00:04,000 --> 00:00:05,250
KHÁCH HÀNG: Chào em.
"""


def p(obj, name="C1.json"):
    return parse(Path(name), json.dumps(obj).encode() if not isinstance(obj, str) else obj.encode())


def test_whisper_segments_without_speakers():
    t = p(WHISPER)
    assert t.format == "whisper" and [u.text for u in t.utterances] == [
        "Good morning, thank you for calling.", "Hi, I have a problem."]
    assert t.utterances[0].start_s == 0.0 and t.utterances[1].end_s == 4.5
    assert t.utterances[0].confidence == pytest.approx(0.8106, abs=1e-3)   # exp(avg_logprob)
    assert t.labels == [] and roles(t, "auto", "x") == {}


def test_aws_channel_identification():
    t = p(AWS_CHANNELS)
    assert t.format == "aws" and t.call_id == "C42" and t.label_kind == "channel"
    assert [(u.label, u.text) for u in t.utterances] == [("ch_1", "I've been on hold."), ("ch_0", "Sorry about that.")]
    assert t.utterances[0].start_s == 4.86 and t.utterances[0].end_s == 5.62
    assert t.utterances[0].confidence == pytest.approx(0.95)
    assert roles(t, "auto", "x") == {"ch_0": "agent", "ch_1": "customer"}
    assert roles(t, "ch_1", "x") == {"ch_0": "customer", "ch_1": "agent"}


def test_aws_diarization():
    t = p(AWS_SPEAKERS)
    assert [(u.label, u.text) for u in t.utterances] == [("spk_0", "Hello."), ("spk_1", "Hi there")]
    assert roles(t, "second", "x") == {"spk_0": "customer", "spk_1": "agent"}


def test_google_diarization_reads_the_last_result():
    t = p(GOOGLE_DIARIZED)
    assert t.format == "google"
    assert [(u.label, u.text, u.start_s, u.end_s) for u in t.utterances] == [
        ("1", "hello how can I help", 0.0, 1.3), ("2", "my bill", 2.0, 3.0)]


def test_google_channels():
    t = p(GOOGLE_CHANNELS)
    assert [(u.label, u.text) for u in t.utterances] == [("1", "thank you for calling"), ("2", "hi")]
    assert roles(t, "auto", "x") == {"1": "agent", "2": "customer"}


def test_deepgram_utterances_and_words():
    t = p(DEEPGRAM_UTTERANCES)
    assert [(u.label, u.text) for u in t.utterances] == [
        ("0", "Premier phone services, this is Ann."), ("1", "Hi Ann, my phone is broken.")]
    t = p(DEEPGRAM_WORDS)
    assert [(u.label, u.text, u.start_s) for u in t.utterances] == [("0", "Hello there.", 15.25), ("1", "Hi.", 16.0)]


def test_webvtt_voices_and_srt_prefixes():
    t = p(WEBVTT, "C1.vtt")
    assert [(u.label, u.text, u.start_s, u.end_s) for u in t.utterances] == [
        ("Agent", "Good morning, this call may be recorded.", 1.0, 4.0), ("Customer", "I want a refund!", 5.5, 7.0)]
    assert roles(t, "auto", "x") == {"Agent": "agent", "Customer": "customer"}
    t = p(SRT, "C1.srt")
    assert [(u.label, u.text) for u in t.utterances] == [("AGENT", "Xin chào, em là Lan."), ("KHÁCH HÀNG", "Chào em.")]
    assert roles(t, "auto", "x") == {"AGENT": "agent", "KHÁCH HÀNG": "customer"}


def test_an_agent_label_not_in_the_file_is_one_sentence():
    with pytest.raises(InputError, match=r"the agent speaker 'spk_9' is not in the transcript, which has: "
                                         r"spk_0, spk_1"):
        roles(p(AWS_SPEAKERS), "spk_9", "C1.json")


@pytest.mark.parametrize("text, reason", [
    ("{", "the JSON is broken"),
    ('{"foo": 1}', "none of Whisper, AWS Transcribe"),
    ('{"segments": 3}', "segments is not a list"),
    ('{"results": {"items": [{"alternatives": [{"content": "x"}], "start_time": "soon"}]}}',
     "a start_time is not a time"),
    ("WEBVTT\n\n00:01.000 --> 00:00.500\nhi\n", "ends"),
    ("WEBVTT\n\n00:61.000 --> 00:62.000\nhi\n", "is not a cue time"),
    ("just words", "expected JSON"),
])
def test_broken_files_say_why(text, reason):
    with pytest.raises(InputError, match=reason) as e:
        parse(Path("C9.txt"), text.encode())
    assert str(e.value).startswith("C9.txt: ")


def test_not_utf8():
    with pytest.raises(InputError, match="not UTF-8"):
        parse(Path("C9.json"), b"\xff\xfe\xfa{")


def _garbage():
    leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8)
    return st.recursive(leaf, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
        st.sampled_from(["results", "items", "segments", "channels", "utterances", "alternatives", "words",
                         "start", "end", "start_time", "end_time", "text", "transcript", "content",
                         "speaker", "channelTag", "speakerTag", "startTime", "word", "type", "jobName"]),
        kids, max_size=5), max_leaves=30)


@pytest.mark.slow   # about 7 s
@settings(max_examples=300, deadline=None)
@given(_garbage())
def test_garbage_json_is_a_transcript_or_one_sentence(obj):
    try:
        t = parse(Path("C1.json"), json.dumps(obj).encode())
    except InputError as e:
        assert str(e).startswith("C1.json: ") and "\n" not in str(e)
        return
    for u in t.utterances:
        assert isinstance(u.text, str) and u.text
        assert u.start_s is None or u.start_s >= 0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.sampled_from([None, "webvtt", "srt", "whisper", "aws", "google", "deepgram"]))
def test_garbage_text_is_a_transcript_or_one_sentence(text, fmt):
    try:
        parse(Path("C1.vtt"), ("WEBVTT\n\n" if fmt == "webvtt" else "") .encode() + text.encode(), fmt)
    except InputError as e:
        assert str(e).startswith("C1.vtt: ")
