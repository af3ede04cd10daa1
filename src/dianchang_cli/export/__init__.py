"""Results that travel: ``dc export`` writes one evaluation as tables (Parquet, CSV, JSON
Lines) and ``dc aggregate`` loads many subdistricts' exports into one DuckDB file and renders
the district view.  :mod:`.tables` turns an outcome into rows, :mod:`.write` writes them,
:mod:`.aggregate` loads exports, :mod:`.district` builds the district view's model."""
