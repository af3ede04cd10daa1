"""Report templates from ``plan/templates/`` are untrusted: no code runs, no file is read.

Every Jinja2 template renders in the immutable sandbox, so the usual escape chains
(``__class__``, ``__globals__``, ``__subclasses__``, ``list.append``, ``str.format``) end as
``plan/templates/report.md.j2:LINE: [plan-template] …`` with exit status 2.  An override is
read only as a regular file inside the folder, at most 1 MiB; a Typst override cannot read
anything outside it either.  Everything runs through the CLI, as a user would.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dianchang_cli.api import Repo
from dianchang_cli.cli.app import build_app
from dianchang_cli.render import markdown
from test_report_helpers import fill, in_language

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX symlinks and FIFOs")
SECRET = "TOP-SECRET-8f3a"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    yield from in_language("en")


@pytest.fixture
def filled(add: Callable[[str, dict | str], Path]) -> None:
    fill(add)


@pytest.fixture
def templates(repo: Repo) -> Path:
    folder = repo.plan_dir / "templates"
    folder.mkdir()
    return folder


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the repository that no template may read."""
    path = tmp_path.parent / f"{tmp_path.name}-secret.txt"
    path.write_text(SECRET + "\n", encoding="utf-8")
    yield path
    path.unlink()


def _dc(repo: Repo, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), ["report", "--repo", str(repo.root),
                                              "--month", "2023-04", *args])
    return result.exit_code, result.output


def _refused(repo: Repo, out: str, code: int, where: str) -> None:
    """Exit 2 with ``where: [plan-template]``, no traceback, no report written."""
    assert code == 2, out
    assert f"{where}: [plan-template]" in out, out
    assert "Traceback" not in out and SECRET not in out
    assert not (repo.root / "reports").exists()


# ---------------------------------------------------------------- Jinja2: escape attempts
ESCAPES = [
    "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ lipsum.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}",
    "{{ self._TemplateReference__context }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__ }}",
    "{% set x = [] %}{{ x.append(1) }}",
    "{% set d = {} %}{{ d.update(a=1) }}",
    "{{ r.labels.clear() }}",
    "{{ ().__class__.__base__ }}",
    '{{ "{0.__class__}".format(1) }}',
    '{{ "{0.__class__.__base__.__subclasses__}".format_map({"0": 1}) }}',
    "{{ r.__class__ }}",
    "{{ range.__self__ }}",
    "{{ (r|attr('__class__')) }}",
    "{{ request.application.__globals__ }}",
]


@pytest.mark.parametrize("escape", ESCAPES)
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_escape_chains_are_plan_template_errors(filled: None, repo: Repo, templates: Path,
                                                tmp_path: Path, escape: str,
                                                fmt: str) -> None:
    marker = tmp_path / "pwned"
    name = f"report.{fmt}.j2"
    (templates / name).write_text(
        "# {{ r.title }}\n\n" + escape.replace("MARKER", marker.as_posix()) + "\n",
        encoding="utf-8")
    code, out = _dc(repo, "-f", fmt)
    _refused(repo, out, code, f"plan/templates/{name}:3")
    assert not marker.exists()  # no shell command ran
    assert "uid=" not in out and "<class" not in out


def test_escape_in_an_included_template_names_that_file(filled: None, repo: Repo,
                                                        templates: Path) -> None:
    (templates / "report.md.j2").write_text("# {{ r.title }}\n{% include 'part.j2' %}\n",
                                            encoding="utf-8")
    (templates / "part.j2").write_text("ok\nok\n{{ ().__class__.__base__ }}\n",
                                       encoding="utf-8")
    code, out = _dc(repo)
    _refused(repo, out, code, "plan/templates/part.j2:3")
    (templates / "report.md.j2").write_text("x\n{% include '../units.yaml' %}\n",
                                            encoding="utf-8")
    code, out = _dc(repo)
    _refused(repo, out, code, "plan/templates/report.md.j2:2")
    assert "no such template" in out


def test_a_legit_override_still_works(filled: None, repo: Repo, templates: Path) -> None:
    (templates / "report.md.j2").write_text(
        "# 自定义 {{ r.title }}\n{% for u in r.units %}\n- {{ u.name }}: "
        "{{ u.events|length }} {{ '%s/%s'|format(1, 2) }} {{ '{}!'.format('hi') }}\n"
        "{% endfor %}{% include 'tail.j2' %}", encoding="utf-8")
    (templates / "tail.j2").write_text("{{ L.made }} {{ r.made_text }}\n", encoding="utf-8")
    code, out = _dc(repo)
    assert code == 0, out
    text = (repo.root / "reports" / "2023-04.md").read_text(encoding="utf-8")
    assert text.startswith("# 自定义 电厂街道")
    assert re.search(r"^- 东苑社区\S*: 3 1/2 hi!$", text, re.M)
    assert re.search(r"^Made on \d{4}-\d\d-\d\d$", text, re.M)


def test_syntax_error_names_file_and_line(filled: None, repo: Repo, templates: Path) -> None:
    (templates / "report.md.j2").write_text("# {{ r.title }}\n\n\n{% if %}\n",
                                            encoding="utf-8")
    code, out = _dc(repo)
    _refused(repo, out, code, "plan/templates/report.md.j2:4")
    assert "syntax error" in out


def test_a_misspelt_field_names_file_and_line(filled: None, repo: Repo,
                                              templates: Path) -> None:
    (templates / "report.html.j2").write_text("<p>{{ r.title }}</p>\n<p>{{ r.nope.x }}</p>\n",
                                              encoding="utf-8")
    code, out = _dc(repo, "-f", "html")
    _refused(repo, out, code, "plan/templates/report.html.j2:2")
    assert "nope" in out


def test_html_override_with_a_script_is_a_plan_template_error(filled: None, repo: Repo,
                                                              templates: Path) -> None:
    (templates / "report.html.j2").write_text("<p>{{ r.title }}</p><script>x()</script>",
                                              encoding="utf-8")
    code, out = _dc(repo, "-f", "html")
    _refused(repo, out, code, "plan/templates/report.html.j2:0")


# ---------------------------------------------------------------- Jinja2: bounded cost
@pytest.mark.parametrize("body", [
    "{% for i in range(10**9) %}x{% endfor %}",
    "{{ 'a' * 10**9 }}",
    "{{ [1] * 10**9 }}",
    "{{ 9 ** 99999999 }}",
    "{% set n = 2 ** 60000 %}{{ n * n }}",
    "{{ 'x'|center(10**9) }}",
    "{{ 'x'|indent(10**9) }}",
    "{{ range(100000)|join('x' * 100000) }}",
    "{{ [1]|batch(10**9, 0)|list }}",
    '{{ "%0999999999d" % 1 }}',
    '{{ "%*d" % (999999999, 1) }}',
    '{{ "{:>999999999}".format(1) }}',
    '{{ "{:>{w}}".format(1, w=999999999) }}',
    "{{ '%0999999999d'|format(1) }}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
])
def test_costly_templates_are_refused(filled: None, repo: Repo, templates: Path,
                                      body: str) -> None:
    (templates / "report.md.j2").write_text("# {{ r.title }}\n" + body + "\n",
                                            encoding="utf-8")
    code, out = _dc(repo)
    _refused(repo, out, code, "plan/templates/report.md.j2:2")


def test_output_is_capped(filled: None, repo: Repo, templates: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "MAX_OUTPUT", 2_000_000)  # 50 million in real use
    (templates / "report.md.j2").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxxxx"
        "{% endfor %}{% endfor %}", encoding="utf-8")
    code, out = _dc(repo)
    _refused(repo, out, code, "plan/templates/report.md.j2:0")
    assert "million characters" in out


def test_run_time_is_capped(filled: None, repo: Repo, templates: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "MAX_SECONDS", 0.5)  # 10 seconds in real use
    (templates / "report.md.j2").write_text(
        "# {{ r.title }}\n{% for i in range(100000) %}{% for j in range(100000) %}"
        "{% endfor %}{% endfor %}\n", encoding="utf-8")
    code, out = _dc(repo)
    _refused(repo, out, code, "plan/templates/report.md.j2:2")
    assert "longer than" in out


# ---------------------------------------------------------------- untrusted files
@POSIX
@pytest.mark.parametrize("target", ["/dev/zero", "SECRET"])
def test_a_symlinked_override_is_refused(filled: None, repo: Repo, templates: Path,
                                         secret: Path, target: str) -> None:
    (templates / "report.md.j2").symlink_to(secret if target == "SECRET" else target)
    code, out = _dc(repo)
    _refused(repo, out, code, "plan/templates/report.md.j2:0")
    assert "symbolic link" in out


@POSIX
def test_a_symlink_inside_the_folder_is_read(filled: None, repo: Repo,
                                             templates: Path) -> None:
    (templates / "mine.j2").write_text("# {{ r.title }}\n", encoding="utf-8")
    (templates / "report.md.j2").symlink_to("mine.j2")
    code, out = _dc(repo)
    assert code == 0, out
    assert (repo.root / "reports" / "2023-04.md").read_text(encoding="utf-8").startswith(
        "# 电厂街道")


@POSIX
def test_a_symlinked_templates_folder_is_refused(filled: None, repo: Repo,
                                                 tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-templates"
    outside.mkdir()
    (outside / "report.md.j2").write_text("{{ r.title }}\n", encoding="utf-8")
    (repo.plan_dir / "templates").symlink_to(outside, target_is_directory=True)
    code, out = _dc(repo)
    _refused(repo, out, code, "plan/templates/report.md.j2:0")


@POSIX
def test_a_fifo_override_is_refused_not_waited_for(filled: None, repo: Repo,
                                                   templates: Path) -> None:
    os.mkfifo(templates / "report.md.j2")
    code, out = _dc(repo)
    _refused(repo, out, code, "plan/templates/report.md.j2:0")
    assert "not a regular file" in out


def test_a_folder_named_like_the_template_is_refused(filled: None, repo: Repo,
                                                     templates: Path) -> None:
    (templates / "report.md.j2").mkdir()
    code, out = _dc(repo)
    _refused(repo, out, code, "plan/templates/report.md.j2:0")


def test_an_oversized_override_is_refused(filled: None, repo: Repo, templates: Path) -> None:
    (templates / "report.md.j2").write_bytes(b"{{ r.title }}\n" + b"x" * (2 * 1024 * 1024))
    code, out = _dc(repo)
    _refused(repo, out, code, "plan/templates/report.md.j2:0")
    assert "larger than" in out


def test_a_template_that_is_not_utf8_is_refused(filled: None, repo: Repo,
                                                templates: Path) -> None:
    (templates / "report.md.j2").write_bytes("# 一\n".encode() + "二\n".encode("gbk"))
    code, out = _dc(repo)
    _refused(repo, out, code, "plan/templates/report.md.j2:2")
    assert "UTF-8" in out


# ---------------------------------------------------------------- Typst overrides
TYPST_READS = [
    ('#read("/etc/passwd")', 1),
    ('= Title\n#image("/etc/hostname")', 2),
    ('x\n\n#include "/etc/passwd"', 3),
    ('#read("../units.yaml")', 1),
    ('#read("../../../../../../../../etc/passwd")', 1),
    ('#read("SECRET")', 1),
    ('#let f = "link.txt"\n#read(f)', 2),
    ('#image("fifo.png")', 1),
]


@POSIX
@pytest.mark.parametrize(("source", "line"), TYPST_READS)
def test_typst_override_cannot_read_files(filled: None, repo: Repo, templates: Path,
                                          secret: Path, source: str, line: int) -> None:
    (templates / "link.txt").symlink_to(secret)  # a symlink Typst itself would follow
    os.mkfifo(templates / "fifo.png")
    (templates / "report.typ").write_text(source.replace("SECRET", secret.as_posix()) + "\n",
                                          encoding="utf-8")
    code, out = _dc(repo, "-f", "pdf")
    _refused(repo, out, code, f"plan/templates/report.typ:{line}")
    assert "root:" not in out and "units:" not in out
    assert "dc-typst-" not in out  # no temporary folder named: the plan's own file names


@POSIX
@pytest.mark.parametrize("target", ["/etc/passwd", "/dev/zero", "SECRET"])
def test_a_symlinked_typst_override_is_refused(filled: None, repo: Repo, templates: Path,
                                               secret: Path, target: str) -> None:
    (templates / "report.typ").symlink_to(secret if target == "SECRET" else target)
    code, out = _dc(repo, "-f", "pdf")
    _refused(repo, out, code, "plan/templates/report.typ:0")


def test_typst_override_reads_files_beside_it(filled: None, repo: Repo,
                                              templates: Path) -> None:
    (templates / "logo.txt").write_text("本街道自定义页眉", encoding="utf-8")
    (templates / "parts").mkdir()
    (templates / "parts" / "title.typ").write_text("#let heading-text = \"自定义\"\n",
                                                   encoding="utf-8")
    (templates / "report.typ").write_text(
        '#import "parts/title.typ": heading-text\n#let r = json(bytes(sys.inputs.data))\n'
        '#set text(font: sys.inputs.font)\n= #heading-text #read("logo.txt") #r.title\n',
        encoding="utf-8")
    code, out = _dc(repo, "-f", "pdf")
    assert code == 0, out
    assert (repo.root / "reports" / "2023-04.pdf").read_bytes().startswith(b"%PDF")


def test_a_broken_typst_override_names_its_line(filled: None, repo: Repo,
                                                templates: Path) -> None:
    (templates / "report.typ").write_text("= ok\n\n#panic(\"broken\")\n", encoding="utf-8")
    code, out = _dc(repo, "-f", "pdf")
    _refused(repo, out, code, "plan/templates/report.typ:3")
    assert "broken" in out


@pytest.mark.parametrize(("name", "source", "line"), [
    ("report.typ", '= x\n#import "@preview/cetz:0.2.2": canvas\n', 2),
    ("parts/pkg.typ", "#import '@local/mine:1.0.0'\n", 1),
])
def test_typst_package_imports_are_refused(filled: None, repo: Repo, templates: Path,
                                           name: str, source: str, line: int) -> None:
    """A package import would make Typst download code while CI runs: refused before compiling."""
    (templates / "parts").mkdir()
    (templates / name).write_text(source, encoding="utf-8")
    if name != "report.typ":
        (templates / "report.typ").write_text('#import "parts/pkg.typ"\n= ok\n',
                                              encoding="utf-8")
    code, out = _dc(repo, "-f", "pdf")
    _refused(repo, out, code, f"plan/templates/{name}:{line}")
    assert "@…/…" in out  # refused by dc, not a download that happened to fail
