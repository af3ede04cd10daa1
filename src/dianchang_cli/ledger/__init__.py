"""The monthly volunteer-service ledger (志愿服务台账), made from the same records as every
other output: :func:`~.model.build` computes it once; one module per format renders it.

>>> ledger = build(check(Repo.at(".")), 2023, 4)       # doctest: +SKIP
>>> data = renderer("xlsx")(ledger)                    # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from .model import Ledger, build, default_types, parse_month

Renderer = Callable[[Ledger], bytes]

# format → module below ledger/ whose ``render(ledger) -> bytes`` makes the file
# (imported only when chosen: openpyxl and typst cost import time)
FORMATS: dict[str, str] = {"md": "markdown", "xlsx": "xlsx", "pdf": "pdf"}


def renderer(name: str) -> Renderer:
    """The ``render`` function of format ``name`` (one of :data:`FORMATS`)."""
    module = import_module(f"{__name__}.{FORMATS[name]}")
    return module.render  # type: ignore[no-any-return]


__all__ = ["FORMATS", "Ledger", "build", "default_types", "parse_month", "renderer"]
