#!/usr/bin/env python3
"""Keep dc's message catalogs in step with the sources: extract → update → compile.

Run from anywhere with the project's venv (Babel is a dependency of dc):

    python tools/i18n.py            # extract the msgids, merge them into every .po, compile .mo
    python tools/i18n.py --check    # exit 1 if a msgid is missing/untranslated/fuzzy in a .po,
                                    # a translation changes the {placeholders}, or a .mo is stale

What it runs (``pybabel`` from the same Python):

1. ``pybabel extract`` with ``babel.cfg`` and the keywords ``_``, ``N_``, ``ngettext:1,2``,
   without source locations and sorted, into a temporary template (nothing else is written);
2. ``pybabel update`` (``pybabel init`` the first time) of
   ``src/dianchang_cli/locale/<lang>/LC_MESSAGES/dc.po``; strings that vanished from the
   sources are dropped, new ones whose wording is close to an old one come in as *fuzzy*;
3. ``pybabel compile --statistics`` → ``dc.mo`` (fuzzy entries are left out).

After step 2, translate every empty ``msgstr`` and review every ``#, fuzzy`` entry (then
delete the ``fuzzy`` flag), and run the script again so the ``.mo`` is compiled.

``tests/test_i18n.py`` imports :func:`check` and :func:`placeholders` from this file.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
MAPPING = "babel.cfg"
LOCALE_DIR = Path("src/dianchang_cli/locale")
DOMAIN = "dc"
LANGUAGES = ("zh_CN",)
KEYWORDS = ("_", "N_", "ngettext:1,2")
PROJECT = "dianchang-cli"
SOURCES = "src"  # the folder of the [python: src/**.py] section of babel.cfg


# ---------------------------------------------------------------------------- pybabel


def _pybabel(*args: str, root: Path = ROOT, quiet: bool = False) -> str:
    """Run ``pybabel ARGS`` in ``root`` with this interpreter; raise with its output if it fails."""
    proc = subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=root,
                          capture_output=True, text=True, encoding="utf-8", check=False)
    output = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0:
        raise RuntimeError(f"pybabel {args[0]} failed ({proc.returncode}):\n{output}")
    if output and not quiet:
        print(output)
    return output


def extract(pot: Path, root: Path = ROOT) -> Catalog:
    """Extract every msgid of the sources into ``pot``; return the template catalog."""
    args = ["extract", "-F", MAPPING, "--no-default-keywords"]
    for keyword in KEYWORDS:
        args += ["-k", keyword]
    args += ["--no-location", "--sort-output", "--no-wrap", "--add-comments=TRANSLATORS:",
             "--project", PROJECT, "--copyright-holder", "电厂街道",
             "-o", str(pot), "."]
    _pybabel(*args, root=root, quiet=True)
    with pot.open("rb") as fh:
        template = read_po(fh)
    hidden = [(where, msgid) for where, msgid in literal_calls(root)
              if template.get(msgid) is None]
    if hidden:
        # Python < 3.12 tokenizes an f-string as one token, so pybabel does not see a _()
        # inside f"…{_('PASS')}…"; such strings still go in the catalog, with a warning.
        for where, msgid in hidden:
            print(f"note: {where}: {_forms(msgid)[0]!r} is not seen by pybabel extract "
                  "(inside an f-string?); added to the template", file=sys.stderr)
            template.add(msgid)
        with pot.open("wb") as fh:
            write_po(fh, template, width=None, sort_output=True, omit_header=False)
    return template


def literal_calls(root: Path = ROOT) -> list[tuple[str, str | tuple[str, str]]]:
    """Every ``_("…")``, ``N_("…")``, ``ngettext("…", "…", n)`` of the sources, f-strings too."""
    found: list[tuple[str, str | tuple[str, str]]] = []
    for path in sorted((root / SOURCES).rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (SyntaxError, UnicodeDecodeError):
            continue  # pybabel reports it; a file being edited right now is not our concern
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            literal = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str)
                       else None for a in node.args[:2]]
            where = f"{path.relative_to(root).as_posix()}:{node.lineno}"
            if node.func.id in ("_", "N_") and literal[:1] and literal[0] is not None:
                found.append((where, literal[0]))
            elif node.func.id == "ngettext" and len(literal) == 2 and None not in literal:
                found.append((where, (literal[0], literal[1])))
    return found


def po_path(lang: str, root: Path = ROOT) -> Path:
    return root / LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str, root: Path = ROOT) -> Path:
    return po_path(lang, root).with_suffix(".mo")


def update(pot: Path, root: Path = ROOT) -> None:
    """Merge the template into each language's .po (``init`` the ones that do not exist)."""
    for lang in LANGUAGES:
        common = ["-i", str(pot), "-d", str(LOCALE_DIR), "-D", DOMAIN, "-l", lang, "--no-wrap"]
        if po_path(lang, root).exists():
            _pybabel("update", *common, "--ignore-obsolete", "--ignore-pot-creation-date",
                     root=root)
        else:
            _pybabel("init", *common, root=root)


def compile_catalogs(root: Path = ROOT) -> None:
    for lang in LANGUAGES:
        _pybabel("compile", "-d", str(LOCALE_DIR), "-D", DOMAIN, "-l", lang, "--statistics",
                 root=root)


# ---------------------------------------------------------------------------- checks

_FIELD = re.compile(r"\{([^{}:!]*)(![^{}:]*)?(?::[^{}]*)?\}")


def placeholders(text: str) -> set[str]:
    """The fields of a ``str.format`` text: ``{name}``, ``{name!r}``, ``{}`` (``{{`` is text).

    A format spec is left out (``{month:02d}`` → ``{month}``): a translation may write
    ``{year}年{month}月`` without the zero padding, but must keep every name and ``!r``.
    """
    text = text.replace("{{", "").replace("}}", "")
    return {"{" + name + (conv or "") + "}" for name, conv in _FIELD.findall(text)}


def _forms(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _label(message: Message) -> str:
    return repr(_forms(message.id)[0])


def placeholder_problems(message: Message) -> list[str]:
    """Translations of ``message`` whose ``{placeholders}`` differ from the msgid's."""
    ids = _forms(message.id)
    allowed = [placeholders(i) for i in ids]
    problems = []
    for form in _forms(message.string):
        if form and placeholders(form) not in allowed:
            problems.append(f"{_label(message)}: the translation {form!r} has placeholders "
                            f"{sorted(placeholders(form))}, the msgid {sorted(allowed[-1])}")
    return problems


def _compiled(catalog: Catalog) -> dict[tuple[object, object], tuple[str, ...]]:
    """What ``pybabel compile`` (without --use-fuzzy) puts in the .mo, header left out."""
    return {(_forms(m.id), m.context): _forms(m.string) for m in catalog
            if m.id and m.string and not m.fuzzy}


def _read_mo(path: Path) -> dict[tuple[object, object], tuple[str, ...]]:
    with path.open("rb") as fh:
        mo = read_mo(fh)
    return {(_forms(m.id), m.context): _forms(m.string) for m in mo if m.id}


def check(root: Path = ROOT) -> list[str]:
    """Every problem of the catalogs, as one line each; empty when all is well."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        template = extract(Path(tmp) / f"{DOMAIN}.pot", root)
    for lang in LANGUAGES:
        po, mo = po_path(lang, root), mo_path(lang, root)
        if not po.exists():
            problems.append(f"{lang}: {po.relative_to(root)} does not exist; "
                            "run python tools/i18n.py")
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh)
        for message in template:
            if not message.id:
                continue
            found = catalog.get(message.id, message.context)
            where = f"{lang}: {_label(message)}"
            if found is None or (found.pluralizable != message.pluralizable):
                problems.append(f"{where} is not in the catalog; run python tools/i18n.py")
            elif found.fuzzy:
                problems.append(f"{where} is fuzzy: review the translation, remove the flag")
            elif not all(_forms(found.string)):
                problems.append(f"{where} is not translated")
            else:
                problems += [f"{lang}: {p}" for p in placeholder_problems(found)]
        if not mo.exists():
            problems.append(f"{lang}: {mo.relative_to(root)} does not exist; "
                            "run python tools/i18n.py")
        elif _read_mo(mo) != _compiled(catalog):
            problems.append(f"{lang}: {mo.relative_to(root)} is not compiled from the current "
                            f"{po.name}; run python tools/i18n.py")
    return problems


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if the catalogs are incomplete or stale")
    parser.add_argument("--pot", type=Path,
                        help="also keep the extracted template at this path")
    args = parser.parse_args(argv)

    if args.check:
        problems = check()
        for line in problems:
            print(line)
        print(f"{len(problems)} problem(s)" if problems else "catalogs OK")
        return 1 if problems else 0

    with tempfile.TemporaryDirectory() as tmp:
        pot = args.pot.resolve() if args.pot else Path(tmp) / f"{DOMAIN}.pot"
        template = extract(pot)
        print(f"{sum(1 for m in template if m.id)} messages extracted")
        update(pot)
    compile_catalogs()
    problems = check()
    for line in problems:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
