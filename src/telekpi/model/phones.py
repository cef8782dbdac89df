"""Phone numbers, one definition: as written → E.164 with the ``phonenumbers`` library.

A number written without its country code (``0974 442 778``) is read as one of the
workspace's ``phone_region`` (``Settings.phone_country``). Lead search matches numbers
with it, and imports store the calls' caller and called numbers with it.
"""

from __future__ import annotations

from functools import lru_cache


def phone_e164(text: str, region: str | None) -> tuple[str, str] | None:
    """A phone number as written (``0974 442 778``, ``+84974442778``, ``84974442778``), in
    E.164 (``+84974442778``) and its national digits (``974442778``); a number written without
    its country code is read as one of ``region`` (ISO 3166, such as VN). None when it cannot be
    a phone number there."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return (phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
            phonenumbers.national_significant_number(number))


@lru_cache(maxsize=200_000)
def normalised(text: str, region: str | None) -> str:
    """A number as a ``phone`` column stores it: E.164 when it can be a phone number in
    ``region``; else as written, trimmed (an extension such as 1001, ``anonymous``, a SIP
    user), since what the source wrote is still worth keeping."""
    text = text.strip()
    # Extensions and short codes (up to 6 digits) are not numbers of the region: kept as written.
    digits = sum(ch.isdigit() for ch in text)
    if digits <= 6:
        return text
    found = phone_e164(text, region)
    return found[0] if found else text
