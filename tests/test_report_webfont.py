"""``--embed-font``: the HTML report carries a Chinese font cut to its own text."""

from __future__ import annotations

import base64
import io
import re

from fontTools.ttLib import TTFont

from dianchang_cli.render.html import check_self_contained
from dianchang_cli.render.webfont import embed


def test_embedded_font_covers_the_page_and_stays_self_contained() -> None:
    page = ("<html><head><meta charset='utf-8'></head><body><h1>电厂街道宣传思想工作月度报告"
            "</h1><p>达标 2023年4月</p></body></html>")
    out = embed(page)
    check_self_contained(out)  # a data: font is not an outside resource
    data = re.search(r"url\(data:font/otf;base64,([A-Za-z0-9+/=]+)\)", out)
    assert data is not None and out.index("<style>") < out.index("</head>")
    font = TTFont(io.BytesIO(base64.b64decode(data.group(1))))
    cmap = font.getBestCmap()
    assert all(ord(ch) in cmap for ch in "电厂街道达标年月")
    assert ord("鑫") not in cmap  # subset: only what the page uses
    assert len(data.group(1)) < 400_000
