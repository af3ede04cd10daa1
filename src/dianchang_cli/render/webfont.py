"""An HTML report that shows its Chinese anywhere: the bundled font, cut to the page's text.

Most office computers have a Chinese font, and the page's CSS names the common ones; a phone
or a bare Linux box may not, and then shows boxes.  ``dc report -f html --embed-font`` embeds
Noto Sans CJK SC (SIL OFL), subset with fontTools to the characters the page uses (~0.5 MB
for a month's report, as a ``data:`` URL: still one file that loads nothing from outside).
Subsetting a CJK font takes two or three seconds, so it is asked for, not done by default.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

from ..i18n import _
from .typst_engine import FontNotFound, bundled_font_dir, how_to_get_a_font

FAMILY = "Noto Sans CJK SC"


def _font_file() -> tuple[Path, int]:
    """The bundled collection and the index of its Simplified Chinese face."""
    from fontTools.ttLib import TTCollection

    folder = bundled_font_dir()
    files = sorted(folder.glob("*.tt[cf]")) + sorted(folder.glob("*.otf")) if folder else []
    for path in files:
        if path.suffix.lower() != ".ttc":
            return path, -1
        with TTCollection(path, lazy=True) as collection:
            for i, face in enumerate(collection.fonts):
                if face["name"].getDebugName(1) == FAMILY:
                    return path, i
    raise FontNotFound(_("Font not found: {family}.").format(family=FAMILY) + " "
                       + how_to_get_a_font())


def font_face(text: str) -> str:
    """A CSS ``@font-face`` rule carrying the font subset to the characters of ``text``."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    path, index = _font_file()
    font = TTFont(path, fontNumber=index) if index >= 0 else TTFont(path)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text + "0123456789")
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    data = base64.b64encode(out.getvalue()).decode("ascii")
    return (f'@font-face {{ font-family: "{FAMILY}"; '
            f'src: url(data:font/otf;base64,{data}) format("opentype"); }}')


def embed(page: str) -> str:
    """``page`` with the subset font in a ``<style>`` at the end of its head."""
    style = f"<style>{font_face(page)}</style>"
    return page.replace("</head>", style + "</head>", 1) if "</head>" in page else style + page
