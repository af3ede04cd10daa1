"""dc — the work-plan compliance tool of 电厂街道.

The pipeline, one package per stage: :mod:`.load` (bytes → YAML nodes) →
:mod:`.records` (validated, frozen records) → :mod:`.engine` (index, periods, rule kinds →
results) → :mod:`.render` (table, json, md, html, pdf …).  :mod:`.api` ties them together for
the CLI and for tests.
"""

__version__ = "0.1.0"
