"""docs/web.md shows every page: an image per page the look tests know, each there and small."""

from __future__ import annotations

import re

from .look import DOC_IMAGES, PAGES, ROOT, shot_name


def test_web_md_shows_every_page_and_each_image_is_small():
    text = (ROOT / "docs" / "web.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"\]\(images/web-([\w-]+)\.webp\)", text))
    assert shown == {shot_name(r) for r in PAGES}
    for name in shown:
        image = DOC_IMAGES / f"web-{name}.webp"
        assert image.read_bytes()[8:12] == b"WEBP", name
        assert image.stat().st_size < 150_000, name
