"""Stage 1 — load: files on disk → bytes → YAML values with their node trees."""
