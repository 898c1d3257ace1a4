"""``--help`` speaks the user's language: Chinese by default, English with ``--lang en`` or ``SITES_LANGUAGE=en``.

Every command of every program (``python -m sites|scoring|geodata``, found by walking the click groups, so a
new command is checked without being listed here) answers ``--help`` with exit 0:

* in Chinese with no English sentence: a Latin word must be a name of :data:`tests.test_i18n.LATIN_OK` or an
  option's name, metavar or choice, or a command's name (what the user types stays as it is);
* in English with no Chinese character but the documented Chinese header names of a sheet;
* its own help, each option's help and click's words (Usage/Options/Commands, "Show this message and exit.",
  "[default: …]", "[required]") in that language.

Known answers for ``scoring coverage``, ``sites copy``, ``sites import`` and the command lists; ``--lang``
anywhere on the command line and ``SITES_LANGUAGE`` choose as they do for messages; the real entry point runs
as a process; every help text is a key of ``i18n/tables/cli_help.py``, worded when the help is shown.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from cli import geodata as geodata_cli
from cli import scoring as scoring_cli
from cli import sites as sites_cli
from cli.common import HELP_KEY_PREFIX
from i18n import catalogue
from tests.test_i18n import LATIN_OK, LATIN_WORD, english_words

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = {"sites": sites_cli, "scoring": scoring_cli, "geodata": geodata_cli}
#: Chinese an English help may show: the headers of a target sheet (what the user's file must hold), a
#: target's name pattern PREFIX（town） and an example region name.
EN_CHINESE_OK = ("镇街代码", "镇街名称", "目标数量", "站点类型", "截止日期", "江门市", "（", "）")
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
#: Latin words of click's usage line, metavars and help option (``[OPTIONS] COMMAND [ARGS]...``, ``TEXT``,
#: ``-h, --help``), and of the names of environment variables (SITES_DB reads as SITES, DB).
CLICK_WORDS = frozenset({"OPTIONS", "COMMAND", "ARGS", "TEXT", "FLOAT", "INTEGER", "SITES", "DB", "LANGUAGE", "h",
                         "help"})


def _walk(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _walk(sub, (*path, name))


COMMANDS = [(prog, path) for prog, module in PROGRAMS.items() for path, _ in _walk(module.app)]


def _command(prog: str, path: tuple[str, ...]) -> click.Command:
    command = PROGRAMS[prog].app
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return command


def _typed_words(prog: str) -> frozenset[str]:
    """What a user types, as Latin words: every option name, metavar and choice, every command name, of the
    program."""
    words: set[str] = set(LATIN_WORD.findall(f"python -m {prog}"))
    for path, command in _walk(PROGRAMS[prog].app):
        words |= set(LATIN_WORD.findall(" ".join(path)))
        ctx = click.Context(command, info_name=prog)
        for param in command.params:  # not get_params(ctx): that would cache a help option made without -h
            text = " ".join([*param.opts, *param.secondary_opts, param.make_metavar(ctx)])
            if isinstance(param.type, click.Choice):
                text += " " + " ".join(map(str, param.type.choices))
            if isinstance(param.default, str):
                text += " " + param.default
            words |= set(LATIN_WORD.findall(text))
    return frozenset(words)


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)


@pytest.fixture
def helps(capsys, monkeypatch):
    """``help(prog, *args, setting=...)``: run ``python -m prog ARGS`` in this process with ``SITES_LANGUAGE``
    set to ``setting`` (None: unset); (exit code, standard output)."""

    def _help(prog: str, *args: str, setting: str | None = "zh") -> tuple[int, str]:
        if setting is None:
            monkeypatch.delenv("SITES_LANGUAGE", raising=False)
        else:
            monkeypatch.setenv("SITES_LANGUAGE", setting)
        import i18n

        i18n.reload_settings()
        capsys.readouterr()
        code = PROGRAMS[prog].main(list(args))
        return code, capsys.readouterr().out

    return _help


@pytest.mark.parametrize(("prog", "path"), COMMANDS, ids=[" ".join((p, *c)) for p, c in COMMANDS])
def test_every_commands_help_is_chinese_by_default_and_english_with_lang_en(helps, prog, path):
    code, zh = helps(prog, *path, "--help", setting=None)  # no setting: Chinese
    assert code == 0
    assert zh.startswith(f"用法：python -m {' '.join((prog, *path))}")
    assert "选项：" in zh and "显示本帮助后退出" in zh
    assert english_words(zh, LATIN_OK | CLICK_WORDS | _typed_words(prog)) == []
    assert "Usage" not in zh and "Options" not in zh and "Show this message" not in zh
    assert "⟦" not in zh  # no missing text
    assert CHINESE.search(_command(prog, path).get_short_help_str(60))  # its line in the group's list too
    # wrapped by terminal columns (a Chinese character takes two), "[默认：…]" never cut
    assert max(_columns(line) for line in zh.splitlines()) <= 80
    assert all(line.count("[") == line.count("]") for line in zh.splitlines() if "[默认" in line or "[必填" in line)

    code, en = helps(prog, *path, "--help", "--lang", "en")
    assert code == 0
    assert en.startswith(f"Usage: python -m {' '.join((prog, *path))}")
    assert "Options:" in en and "Show this message and exit." in en
    rest = en
    for name in EN_CHINESE_OK:
        rest = rest.replace(name, "")
    assert CHINESE.findall(rest) == []
    if isinstance(_command(prog, path), click.Group):
        assert "命令：" in zh and "Commands:" in en


def test_coverage_help_in_both_languages_known_answers(helps):
    code, zh = helps("scoring", "coverage", "--help")
    assert code == 0
    assert "用法：python -m scoring coverage [OPTIONS]" in zh
    assert "各镇街各类站点的覆盖情况" in zh
    assert "服务半径，单位米（默认：按站点类型，见设置）" in zh
    assert "[默认：json]" in zh and "[默认：wgs84]" in zh and "[默认：straight]" in zh
    assert "--format [json|csv]" in zh and "[wgs84|gcj02|bd09]" in zh and "--lang [zh|en]" in zh
    code, en = helps("scoring", "coverage", "--help", "--lang", "en")
    assert code == 0
    assert "Usage: python -m scoring coverage [OPTIONS]" in en
    assert "coverage per town and site type" in en
    assert "catchment radius in metres (default: per" in en
    assert "[default: json]" in en and "--format [json|csv]" in en and "--lang [zh|en]" in en


def test_required_and_group_lists_and_click_words(helps):
    _, zh = helps("sites", "copy", "--help")
    _, en = helps("sites", "copy", "--help", "--lang", "en")
    assert "新数据库：postgresql://… 或文件  [必填]" in zh
    assert "the new database: postgresql://… or a file  [required]" in en
    _, zh = helps("sites", "import", "-h")
    assert "只写入没有错误的行，其余各行列出问题" in zh and "--skip-invalid" in zh
    _, zh = helps("scoring", "--help")
    _, en = helps("scoring", "--help", "--lang", "en")
    assert re.search(r"^  coverage +各镇街各类站点的覆盖情况$", zh, re.M)
    assert re.search(r"^  coverage +coverage per town and site type$", en, re.M)
    assert "用法：python -m scoring [OPTIONS] COMMAND [ARGS]..." in zh and "命令：" in zh
    _, zh = helps("sites", "user", "--help")
    assert re.search(r"^  unlock +解除因密码输错而锁定的账号$", zh, re.M)
    _, zh = helps("scoring", "suggest", "--help")
    assert "精确求解时为半径的2倍" in re.sub(r"\s+", "", zh)  # a placeholder filled from EXACT_GRID_FACTOR


@pytest.mark.parametrize("args", [
    ("coverage", "--help", "--lang", "en"),
    ("coverage", "--lang", "en", "--help"),
    ("coverage", "--lang=en", "-h"),
    ("--lang", "en", "coverage", "--help"),  # given to the program, before the command
])
def test_lang_en_anywhere_on_the_command_line(helps, args):
    code, out = helps("scoring", *args)
    assert code == 0 and "coverage per town and site type" in out and not CHINESE.search(out)


def test_the_setting_chooses_and_lang_wins_over_it(helps):
    code, out = helps("geodata", "convert", "--help", setting="en")
    assert code == 0 and "convert a file's coordinates between wgs84, gcj02 and bd09" in out
    assert "Usage: python -m geodata convert" in out and "[required]" in out
    code, out = helps("geodata", "convert", "--help", "--lang", "zh", setting="en")
    assert code == 0 and "在 wgs84、gcj02 和 bd09 之间转换文件的坐标" in out and "[必填]" in out
    code, out = helps("sites", "--help", "--lang", "zh", setting="en")
    assert "站点台账" in out


def test_the_real_entry_points_as_processes():
    env = {**os.environ, "SITES_LANGUAGE": "zh", "SITES_STRICT_I18N": "1"}
    zh = subprocess.run([sys.executable, "-m", "scoring", "coverage", "--help"], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=120)
    assert zh.returncode == 0 and zh.stderr == ""
    assert "各镇街各类站点的覆盖情况" in zh.stdout and "用法：python -m scoring coverage" in zh.stdout
    en = subprocess.run([sys.executable, "-m", "sites", "import", "--help", "--lang", "en"], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=120)
    assert en.returncode == 0 and en.stderr == ""
    assert "import sites from CSV, XLSX or GeoJSON (all or nothing unless" in en.stdout


def test_every_help_text_is_a_key_worded_at_help_time_and_every_key_is_used():
    """No help text is worded when the code is imported (the commands hold keys); every key exists in both
    languages; no key of the help table is left unused."""
    used: set[str] = set()
    for prog, path in COMMANDS:
        command = _command(prog, path)
        assert command.help and command.help.startswith(HELP_KEY_PREFIX), (prog, path)
        used.add(command.help)
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help and param.help.startswith(HELP_KEY_PREFIX), (prog, path, param.opts)
                used.add(param.help)
    texts = catalogue()
    assert {key for key in used if not all(texts.get(key, ("", "")))} == set()
    table = {key for key in texts if key.startswith(HELP_KEY_PREFIX) and not key.startswith("cli.help.word.")}
    assert table - used == set()


def test_a_usage_error_points_to_help_in_the_same_language(capsys, monkeypatch):
    """Click's words around a usage error (usage line, where help is, ``Error:``) follow the language too; the
    message of the error is kept."""
    monkeypatch.setenv("SITES_LANGUAGE", "zh")
    capsys.readouterr()
    assert sites_cli.main(["list", "--bogus"]) == 2
    zh = capsys.readouterr().err
    assert zh.startswith("用法：python -m sites list [OPTIONS]\n运行 'python -m sites list --help' 查看帮助。\n\n错误：")
    assert "No such option '--bogus'" in zh
    assert sites_cli.main(["close", "one", "--lang", "en"]) == 2
    en = capsys.readouterr().err
    assert en == ("Usage: python -m sites close [OPTIONS] ID\nTry 'python -m sites close --help' for help.\n\n"
                  "Error: Invalid value for 'ID': 'one' is not a valid integer.\n")


def test_an_argument_without_a_help_text_is_not_an_empty_row_of_the_options(helps):
    """click 8.5.1 lists every argument among the options, an empty row when it has no help: the usage line
    already names it (用法：python -m sites import [OPTIONS] FILE), so the list leaves it out."""
    code, out = helps("sites", "import", "--help")
    assert code == 0 and out.startswith("用法：python -m sites import [OPTIONS] FILE")
    assert [line for line in out.splitlines() if line.strip() == "FILE"] == []
