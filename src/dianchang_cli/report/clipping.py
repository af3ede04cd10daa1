"""Record text made safe to show: one line, a bounded length, control characters escaped.

The bottom of the report package: the model (:mod:`.model`) and the words
(:mod:`.text`) both use it, and it uses neither.
"""

from __future__ import annotations

import re
from typing import Any

from ..diagnostics import printable

# record text is cut when the model is built, so every format (md, html, pdf, xlsx) gets it:
# a 1 MB title made a month's PDF take 15 s and 1.5 GB
TITLE_LIMIT = 200  # a title, a name, a place, an id, a field value
TEXT_LIMIT = 300  # a detail or a violation message (which may quote a title and a value)
MESSAGE_LIMIT = 500  # a data problem with what is expected
ANY_LIMIT = 5000  # any other text of the report (the plan's own text)
_SPACES = re.compile("[\t\n\r\f\v\x85\u2028\u2029]+")


def clip(value: Any, limit: int = TITLE_LIMIT) -> str:
    r"""``value`` as one line of at most ``limit`` characters (then ``…``): line breaks and
    tabs become spaces, other control characters are shown escaped (``\x1b``).

    >>> clip("a\nb\x1b[31m"), clip("长" * 300)[-3:], len(clip("x" * 10**6))
    ('a b\\x1b[31m', '长长…', 200)
    """
    text = value if isinstance(value, str) else "" if value is None else str(value)
    if len(text) <= limit and text.isprintable():
        return text
    text = _SPACES.sub(" ", text)
    short = len(text) <= limit
    text = printable(text[:limit], limit=limit)  # control characters escaped, nothing cut
    return text if short and len(text) <= limit else text[:limit - 1] + "…"


def clean(value: Any, limit: int = ANY_LIMIT) -> Any:
    """Every string in plain data (dicts, lists) passed through :func:`clip`."""
    if isinstance(value, str):
        return clip(value, limit)
    if isinstance(value, dict):
        return {k: clean(v, limit) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v, limit) for v in value]
    return value
