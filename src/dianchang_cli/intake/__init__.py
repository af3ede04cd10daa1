"""Getting records in: the ways community staff write records without knowing YAML.

- :mod:`.friendly`: what a person typed or a spreadsheet cell held (``5.12``, ``昨天``,
  ``３６``, ``东苑社区``, an Excel date serial) → the value a record file holds;
- :mod:`.writer`: a record's values → one canonical YAML file, with the schema modeline,
  at ``records/<unit>/<yyyy>/<mm>/<type>-<mmdd>[-n].yaml``, never overwriting, checked by
  the same validator as ``dc check``;
- :mod:`.schema`: the plan's record types as a JSON Schema for editors;
- :mod:`.fmt`: rewrite record files into one canonical form, comments kept;
- :mod:`.template` and :mod:`.importer`: the Excel ledger round trip;
- :mod:`.new`: one record from ``--set`` values or answers to prompts.
"""
