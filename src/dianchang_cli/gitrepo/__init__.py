"""Git as evidence: what the history of a records repository says, read after the records.

- :mod:`.git`: the one place that runs git (commit, dirty flag, first commits, changed files);
- :mod:`.history`: first-commit facts joined to loaded records (commit days, 补录);
- :mod:`.changes`: ``--changed-since``, narrowing what a check reports to what a push changed;
- :mod:`.audit`: who wrote which unit's records, against who may;
- :mod:`.codeowners`: the CODEOWNERS file that says who may.

Everything here degrades to "unknown" without git; nothing here evaluates a rule.
"""
