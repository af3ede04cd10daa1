"""Markdown from a Jinja2 template, every printed value escaped for Markdown.

Escaping is not left to the template: the environment's ``finalize`` hook escapes the value
of every ``{{ … }}``, so a record titled ``| *x* <script>`` can neither break a table row
nor become emphasis or HTML.  Template text itself is printed as written.

Templates are looked up first in ``<repo>/plan/templates/`` (same file name as the packaged
template overrides it), then in the package; :func:`environment` is shared with the HTML
renderer.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .typst_engine import RenderError

if TYPE_CHECKING:
    import jinja2

PACKAGED = Path(__file__).parent / "templates"
TEMPLATE = "report.md.j2"

_BREAKS = re.compile(r"[ \t]*[\r\n\t\f\v][ \t\r\n\f\v]*")  # a line break would end a row
_SPECIAL = re.compile(r"([\\`*_\[\]|~$#])")
_LEADING_MARK = re.compile(r"^([-+=])")  # a list item or setext underline at line start
_LEADING_NUMBER = re.compile(r"^(\d+)([.)])(?=\s|$)")  # an ordered list item


def md_escape(value: Any) -> str:
    """``value`` as inline Markdown text that shows exactly its characters, on one line."""
    if value is None:
        return ""
    text = _BREAKS.sub(" ", str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    text = _LEADING_MARK.sub(r"\\\1", text)
    return _LEADING_NUMBER.sub(r"\1\\\2", text)


def environment(override: Path | None, *, html: bool) -> jinja2.Environment:
    """A Jinja2 environment reading ``override`` first, then the packaged templates.

    ``html``: autoescape every value for HTML; otherwise escape every value for Markdown.
    """
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if override is not None and override.is_dir():
        loaders.append(jinja2.FileSystemLoader(override))
    loaders.append(jinja2.FileSystemLoader(PACKAGED))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders), autoescape=html,
        finalize=None if html else md_escape, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render_template(name: str, data: dict[str, Any], override: Path | None, *,
                    html: bool) -> str:
    """Render template ``name`` with ``r`` = the data and ``L`` = its labels.

    A broken template (an override with a syntax error, a misspelt field) is a
    :class:`RenderError` naming the template, never a traceback.
    """
    import jinja2

    try:
        template = environment(override, html=html).get_template(name)
        return template.render(r=data, L=data.get("labels", {}))
    except jinja2.TemplateSyntaxError as err:
        where = err.filename or name
        raise RenderError(f"{where}:{err.lineno}: {err.message}") from err
    except (jinja2.TemplateError, TypeError, ValueError, LookupError, AttributeError) as err:
        raise RenderError(f"{name}: {err}") from err


def render(data: dict[str, Any], override: Path | None = None) -> bytes:
    """The report as UTF-8 Markdown."""
    return render_template(TEMPLATE, data, override, html=False).encode("utf-8")
