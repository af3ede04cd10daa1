"""The message catalogs: complete, compiled, placeholder-safe, and switched by set_language."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.pofile import read_po

from dianchang_cli import i18n

ROOT = Path(__file__).resolve().parent.parent


def _load_tool() -> ModuleType:
    """``tools/i18n.py`` is a script, not a package module: load it from its file."""
    spec = importlib.util.spec_from_file_location("dc_i18n_tool", ROOT / "tools" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


@pytest.fixture
def default_language(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run with DC_LANG unset; afterwards put the default language (Chinese) back."""
    monkeypatch.delenv("DC_LANG", raising=False)
    yield
    monkeypatch.delenv("DC_LANG", raising=False)
    i18n.set_language(None)


def test_catalogs_are_complete_and_compiled() -> None:
    """What ``python tools/i18n.py --check`` checks: every msgid translated, .mo up to date."""
    problems = tool.check(ROOT)
    assert not problems, ("run `python tools/i18n.py`, translate, run it again:\n"
                          + "\n".join(problems))


@pytest.mark.parametrize("lang", tool.LANGUAGES)
def test_translations_keep_the_placeholders(lang: str) -> None:
    with tool.po_path(lang, ROOT).open("rb") as fh:
        catalog = read_po(fh)
    bad = []
    for message in catalog:
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        forms = (message.string,) if isinstance(message.string, str) else tuple(message.string)
        allowed = [tool.placeholders(i) for i in ids]
        bad += [(ids[0], form) for form in forms
                if form and tool.placeholders(form) not in allowed]
    assert not bad, "\n".join(f"{i!r} → {s!r}" for i, s in bad)


@pytest.mark.parametrize(("text", "expected"), [
    ("As of {day}: ", {"{day}"}),
    ("field '{f}' has a bad value: {v!r}", {"{f}", "{v!r}"}),
    ("{year}-{month:02d}", {"{year}", "{month}"}),
    ("[default: {}]", {"{}"}),
    ("{{literal}} {n}", {"{n}"}),
    ("no placeholder", set()),
])
def test_placeholders_are_parsed(text: str, expected: set[str]) -> None:
    assert tool.placeholders(text) == expected


def test_set_language_switches_the_catalog(default_language: None) -> None:
    assert i18n.set_language("zh") == "zh_CN"
    assert i18n._("met") == "达标"
    assert i18n._("As of {day}: ").format(day="2023-12-31") == "截至 2023-12-31："
    assert i18n.set_language("en") == "en"
    assert i18n._("met") == "met"
    assert i18n.set_language(None) == "zh_CN"  # Chinese by default, whatever the machine says
    assert i18n._("unmet") == "未达标"


def test_dc_lang_selects_english(default_language: None,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DC_LANG", "en")
    assert i18n.set_language(None) == "en"
    assert i18n._("pending") == "pending"


def test_operating_system_reasons_are_said_in_the_active_language() -> None:
    """"No such file or directory" (the system's English) becomes 文件或文件夹不存在; a file
    Windows says is open elsewhere gets what to do; an unknown reason keeps the system's."""
    import errno as codes

    before = i18n.current()
    try:
        i18n.set_language("zh")
        assert i18n.os_reason(FileNotFoundError(codes.ENOENT, "No such file or directory")) \
            == "文件或文件夹不存在"
        assert i18n.os_reason(IsADirectoryError(codes.EISDIR, "Is a directory")) == "这是一个文件夹"
        in_use = PermissionError(codes.EACCES, "The process cannot access the file")
        in_use.winerror = 32  # type: ignore[attr-defined]
        assert "关闭" in i18n.os_reason(in_use)
        assert i18n.os_reason(OSError(9999, "something odd")) == "something odd"
    finally:
        i18n.set_language(before)
