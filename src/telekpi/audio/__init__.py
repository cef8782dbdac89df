"""Call recordings as signal: decoding (``decode.py``), voice activity per channel
(``vad.py``), the call's speech figures from who speaks when (``speech.py``) and the call id a
file name carries (``naming.py``). It knows nothing of the warehouse; ``ingest/recordings.py``
links files to calls and stores what this finds (docs/call-analysis.md)."""
