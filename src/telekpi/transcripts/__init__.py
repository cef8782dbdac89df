"""Transcripts: what vendors' speech-to-text files say (``formats``, ``captions``), who spoke
(``speakers``), their import into the warehouse (``load``) and local speech-to-text
(``stt``)."""
