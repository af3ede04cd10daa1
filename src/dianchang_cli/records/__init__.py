"""Stage 2 — validate: YAML values → frozen, typed records (or problems)."""
