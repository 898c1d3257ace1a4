"""Every command of the README runs, in English, as a user would type it.

The README's ```bash blocks are read as they stand: each line ``python -m ...``
(comment dropped, ``[optional parts]`` left out, ``> FILE`` sent to the file)
runs as a real process with ``--lang en`` added, in order, on a temporary
database, with ``SITES_LANGUAGE=zh`` so that only ``--lang`` can make it
English. Each must exit 0 and write no Chinese character to standard error
(data on standard output, such as town names, is fine; so are the names of the
user's own files). The shared-deployment block runs in ``SITES_MODE=shared`` on
a database of its own.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CHINESE = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
PASSWORD = "readme-Passw0rd-long"


def readme_commands() -> list[tuple[str, str]]:
    """``(section heading, command line)`` of every ``python -m sites|scoring|geodata`` line in the README's bash
    blocks (other programs there, such as pytest, are not the product's commands)."""
    commands: list[tuple[str, str]] = []
    section, in_block = "", False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.strip().startswith("```"):
            in_block = line.strip() == "```bash" and not in_block
        elif in_block:
            text = line.strip().removeprefix(".venv/bin/")
            if text.startswith(("python -m sites", "python -m scoring", "python -m geodata")):
                commands.append((section, text))
    return commands


def argv_of(line: str) -> tuple[list[str], str | None]:
    """The argument list of a README line and the file its ``>`` redirect names (or ``None``)."""
    line = re.sub(r"\s+#\s.*$", "", line)  # the comment
    line = re.sub(r"\s*\[[^\]]*\]", "", line)  # [optional parts]
    redirect = None
    if " > " in line:
        line, redirect = (part.strip() for part in line.split(" > ", 1))
    words = shlex.split(line)
    assert words[:2] == ["python", "-m"], line
    return [sys.executable, *words[1:], "--lang", "en"], redirect


def _inputs(folder: Path) -> None:
    """The files the README's commands read: a sheet of sites (GCJ-02), a boundary file, an Amap CSV."""
    from openpyxl import Workbook

    from geodata.boundaries import bundled_region

    wb = Workbook()
    ws = wb.active
    ws.append(["name", "type", "status", "lng", "lat"])
    ws.append(["Readme service centre", "service_centre", "open", 113.0650, 23.1950])
    wb.save(folder / "台账.xlsx")
    wb = Workbook()  # per-town targets as an office writes them (python -m scoring target-import)
    wb.active.append(["镇街代码", "目标数量"])
    wb.active.append(["440605011000", 2])
    wb.save(folder / "逐镇目标.xlsx")
    bundled_region().towns[["code", "name", "geometry"]].to_file(folder / "towns.geojson", driver="GeoJSON")
    (folder / "amap.csv").write_text("name,lng,lat\npalace,113.14095,23.028682\n", encoding="utf-8")
    (folder / "population.csv").write_text("lng,lat,pop\n113.14,23.03,1200\n", encoding="utf-8")


def _environment(folder: Path, db: Path, *, shared: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITES_")}
    env.update(SITES_DB=str(db), SITES_USER="readme", SITES_LANGUAGE="zh", SITES_TILES="none",
               SITES_INCIDENT_LOG=str(folder / "incidents.log"), PYTHONPATH=str(ROOT))
    if shared:
        env.update(SITES_MODE="shared", SITES_PASSWORD=PASSWORD)
    return env


def test_the_readme_lists_every_command():
    """Each command of the three programs appears in a README bash block (the test below runs them)."""
    from cli.geodata import app as geodata_app
    from cli.scoring import app as scoring_app
    from cli.sites import app as sites_app

    text = "\n".join(line for _, line in readme_commands())
    expected = [f"python -m scoring {name}" for name in scoring_app.commands]
    # set-network needs the user's street extract (none ships for Nanhai), copy a PostgreSQL server: named in the
    # README, not run here (tests/test_network_integration.py and tests/test_postgres.py run them)
    expected += [f"python -m sites {name}" for name in sites_app.commands
                 if name not in ("user", "set-network", "copy")]
    expected += [f"python -m geodata {name}" for name in geodata_app.commands if name != "assets"]
    expected += ["python -m sites user add", "python -m sites user list", "python -m sites user log"]
    missing = [command for command in expected if not re.search(re.escape(command) + r"(\s|$)", text)]
    assert not missing, f"not in the README's command blocks: {missing}"
    assert "python -m geodata assets" in README.read_text(encoding="utf-8")  # needs the npm registry: named only
    assert "python -m sites set-network" in README.read_text(encoding="utf-8")  # needs an OSM extract: named only
    assert "python -m sites copy --db" in README.read_text(encoding="utf-8")  # needs a server: named only


@pytest.mark.timeout(900)
def test_every_readme_command_runs_in_english(tmp_path):
    _inputs(tmp_path)
    ran = 0
    for section, line in readme_commands():
        shared = section.startswith("共享部署")
        db = tmp_path / ("shared.db" if shared else "readme.db")
        argv, redirect = argv_of(line)
        done = subprocess.run(argv, cwd=tmp_path, env=_environment(tmp_path, db, shared=shared),
                              input=f"{PASSWORD}\n", capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (line, done.stderr)
        stderr = done.stderr
        for word in argv:  # the user's own file names and values may be Chinese
            stderr = stderr.replace(word, "")
        assert not CHINESE.search(stderr), (line, done.stderr)
        assert "Traceback" not in done.stderr, (line, done.stderr)
        if redirect:
            (tmp_path / redirect).write_text(done.stdout, encoding="utf-8")
        if "--format json" in " ".join(argv):
            json.loads(done.stdout)  # always parseable, whatever the solver printed
        ran += 1
    assert ran >= 30
    assert json.loads((tmp_path / "gaps.geojson").read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    for name in ("sites.gpkg", "2025目标.pdf", "map.html", "wgs84.csv"):
        assert (tmp_path / name).stat().st_size > 0, name
