"""``python -m dianchang_cli`` — the same as the ``dc`` command."""

from .cli import main

main()
