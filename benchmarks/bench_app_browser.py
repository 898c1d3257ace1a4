"""Benchmark: the app as a planner meets it, in a real browser (issues 12 and 13), ours vs a baseline commit.

Each run starts the real app (``streamlit run app.py``, headless, a free local port, ``SITES_TILES=none``)
on its own copy of a database made by that side's own code (the bundled Nanhai towns with the demo sample
seeded), and drives Debian's Chromium through Playwright with every non-local request aborted:

* **first view**: ``page.goto`` of the app → the map iframe (streamlit-folium) shows the site layer
  (a ``.site-marker`` inside it). The server was just started, so this is a new user's first view on a
  cold server (Python imports of the page, region and coverage included);
* **second user**: the same in a second browser context on the now-warm server;
* **radius change**: a click on the service centres' ``500 米`` (from ``1,000 米``) → a *new* map
  iframe shows its sites. For it and the first view, also the time to the server's last websocket
  message (none for 1 s after it) and the messages the browser sent (each asks for a script run: a
  second run asked by the newly mounted map, e.g. st_folium sending its view, shows here);
* **page switch**: a click on ``站点填报`` in the sidebar → the sites page's heading is visible.

Every figure is the median over ``--repeat`` runs (a fresh server each); the CPU seconds (utime +
stime from ``/proc``) of the server process and of the browser (Playwright's driver and Chromium)
are printed beside each, because this machine is shared and wall times are noisy. The **baseline** is the same measurement of ``--baseline-rev`` (default
``f1eadb8``, before this work) checked out with ``git worktree`` under ``/tmp`` and run with the same
Python (``static/vendor`` copied in), measured in the same run, run for run, which side goes first alternating.

Targets (issues 12, 13): first view < 3 s, radius change < 1.5 s, page switch < 1 s.
Run: ``python benchmarks/bench_app_browser.py [--repeat 5] [--baseline-rev f1eadb8] [--skip-baseline]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
BASELINE_REV = "f1eadb8"
CHROMIUM = Path(os.environ.get("SITES_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TARGETS = {"first view": 3.0, "radius change": 1.5, "page switch": 1.0}
SEED = ("import sys; from sites.store import SiteStore; from sites.demo import seed_demo\n"
        "with SiteStore(sys.argv[1]) as store:\n    seed_demo(store, actor='bench')\n")
#: True when a map iframe not tagged ``old`` shows its site layer (markers, clusters or canvas sites).
MAP_READY_JS = """(old) => {
    for (const f of document.querySelectorAll('IFRAME')) {
        if (old && f.dataset.bench === old) { continue; }
        let d = null;
        try { d = f.contentDocument; } catch (e) { continue; }
        if (d && d.querySelector('.site-marker, .marker-cluster')) { return true; }
    }
    return false;
}""".replace("IFRAME", MAP_IFRAME)
TAG_MAPS_JS = "(tag) => document.querySelectorAll('IFRAME').forEach(f => { f.dataset.bench = tag; })".replace(
    "IFRAME", MAP_IFRAME)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(stat.parent.name))
    return kids


def browser_cpu_s(server_pid: int) -> float:
    """CPU seconds used so far by this process's descendants other than the app server: Playwright's
    driver and Chromium (the browser side of every figure)."""
    kids, total, todo = _children(), 0.0, list(_children().get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        if pid == server_pid:
            continue
        todo.extend(kids.get(pid, []))
        try:
            total += cpu_s(pid)
        except (OSError, ValueError, IndexError):
            pass  # ended meanwhile
    return total


def seeded_db(side: Path, folder: Path) -> Path:
    """A database of the bundled Nanhai towns with the demo sample, made by ``side``'s own code."""
    db = folder / "seeded.db"
    env = {**os.environ, "PYTHONPATH": str(side), "SITES_LANGUAGE": "zh"}
    subprocess.run([sys.executable, "-c", SEED, str(db)], cwd=side, env=env, check=True, capture_output=True)
    return db


@contextmanager
def app_server(side: Path, db: Path, timeout_s: float = 90):
    """The app of ``side`` (as its scripts/run-app.sh starts it) on a free port with ``SITES_DB=db``; yields (url, process)."""
    port = free_port()
    env = {**os.environ, "SITES_DB": str(db), "SITES_LANGUAGE": "zh", "SITES_TILES": "none"}
    env.pop("PYTHONPATH", None)
    # As scripts/run-app.sh starts it: through app_pages.serve (modules imported before the server listens)
    # where the side has it, else plain ``streamlit run app.py``.
    start = ["-m", "app_pages.serve"] if (side / "app_pages" / "serve.py").exists() else ["-m", "streamlit", "run", "app.py"]
    proc = subprocess.Popen(
        [sys.executable, *start, "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=side, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no answer at {url}") from None
                time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _local_only(route) -> None:
    if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


def _until_idle(page, received: list[float], start: float, quiet_s: float = 1.0, limit_s: float = 60.0) -> float:
    """Seconds from ``start`` to the last message the server sent, once none has come for ``quiet_s``
    (so a second script run after the first, e.g. asked for by a newly mounted map, is counted)."""
    while time.perf_counter() - start < limit_s:
        last = max([start, *received])
        if time.perf_counter() - last >= quiet_s:
            return last - start
        page.wait_for_timeout(30)
    return limit_s


def one_run(browser, side: Path, db: Path, folder: Path) -> dict[str, float]:
    """One fresh server of ``side`` on a copy of ``db``: the four measurements, wall and server CPU."""
    copy = folder / f"run-{time.monotonic_ns()}.db"
    shutil.copy(db, copy)
    out: dict[str, float] = {}
    with app_server(side, copy) as (url, proc):
        context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
        context.route("**/*", _local_only)
        page = context.new_page()
        sent: list[float] = []
        received: list[float] = []

        def watch(ws) -> None:
            ws.on("framesent", lambda _payload: sent.append(time.perf_counter()))
            ws.on("framereceived", lambda _payload: received.append(time.perf_counter()))

        page.on("websocket", watch)

        def timed(name: str, action, ready) -> float:
            c0, b0, t0 = cpu_s(proc.pid), browser_cpu_s(proc.pid), time.perf_counter()
            action()
            ready()
            out[name] = time.perf_counter() - t0
            out[name + " cpu"] = cpu_s(proc.pid) - c0
            out[name + " browser cpu"] = browser_cpu_s(proc.pid) - b0
            return t0

        t0 = timed("first view", lambda: page.goto(url),
                   lambda: page.wait_for_function(MAP_READY_JS, arg="", polling=25, timeout=180_000))
        out["first view, until idle"] = _until_idle(page, received, t0)
        out["first view, messages sent"] = float(len(sent))
        second = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
        second.route("**/*", _local_only)
        other = second.new_page()
        timed("second user", lambda: other.goto(url),
              lambda: other.wait_for_function(MAP_READY_JS, arg="", polling=25, timeout=180_000))
        second.close()

        page.locator('[data-testid="stExpander"] summary', has_text="服务半径").click()
        group = page.locator('[data-testid="stRadio"]', has_text="职工服务中心半径")
        option = group.locator("label", has_text="500 米")
        option.wait_for(state="visible", timeout=30_000)
        page.evaluate(TAG_MAPS_JS, "old")
        sent.clear()
        t0 = timed("radius change", option.click,
                   lambda: page.wait_for_function(MAP_READY_JS, arg="old", polling=25, timeout=180_000))
        out["radius change, until idle"] = _until_idle(page, received, t0)
        out["radius change, messages sent"] = float(len([s for s in sent if s >= t0]))

        link = page.locator('[data-testid="stSidebarNav"] a', has_text="站点填报")
        timed("page switch", link.click,
              lambda: page.get_by_role("heading", name="站点填报").wait_for(state="visible", timeout=60_000))
        context.close()
    copy.unlink(missing_ok=True)
    return out


@contextmanager
def baseline_tree(rev: str):
    """``rev`` checked out in a temporary git worktree (``static/vendor`` copied in); removed afterwards."""
    where = Path(tempfile.mkdtemp(prefix="bench-app-base-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(where), rev], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        (where / "static").mkdir(exist_ok=True)
        vendor = where / "static" / "vendor"
        if not vendor.exists():
            shutil.copytree(ROOT / "static" / "vendor", vendor)  # a link is not served (Streamlit stays in ./static)
        yield where
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(where)], cwd=ROOT, check=False,
                       capture_output=True)
        shutil.rmtree(where.parent, ignore_errors=True)


def report(label: str, runs: list[dict[str, float]]) -> dict[str, float]:
    med = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    print(f"{label} (median of {len(runs)}; CPU seconds of the app server and of the browser beside each):")
    for name in ("first view", "second user", "radius change", "page switch"):
        target = f"  [target < {TARGETS[name]:g} s]" if name in TARGETS else ""
        print(f"  {name:14s} {med[name]:6.2f} s  (server {med[name + ' cpu']:.2f} s, browser "
              f"{med[name + ' browser cpu']:.2f} s CPU){target}")
    print(f"  until the server's last message: first view {med['first view, until idle']:.2f} s "
          f"({med['first view, messages sent']:.0f} script runs asked), radius change "
          f"{med['radius change, until idle']:.2f} s ({med['radius change, messages sent']:.0f} asked)")
    return med


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline-rev", default=BASELINE_REV)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        print(f"{CHROMIUM} not found: apt-get install chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="bench-app-browser-"))
    sides = {"ours": ROOT}
    with baseline_tree(args.baseline_rev) if not args.skip_baseline else _nothing() as base, \
            sync_playwright() as pw:
        if base is not None:
            sides[f"baseline {args.baseline_rev}"] = base
        dbs = {}
        for label, side in sides.items():
            (folder / label).mkdir()
            dbs[label] = seeded_db(side, folder / label)
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        runs: dict[str, list[dict[str, float]]] = {label: [] for label in sides}
        try:
            for i in range(args.repeat):
                for label, side in (sides.items() if i % 2 == 0 else reversed(sides.items())):
                    runs[label].append(one_run(browser, side, dbs[label], folder / label))
                    print(f"run {i + 1} {label}: " + ", ".join(f"{k} {v:.2f}" for k, v in runs[label][-1].items()),
                          flush=True)
        finally:
            browser.close()
    print(f"Bundled Nanhai towns + demo sample, Chromium headless, tiles none ({ROOT}):")
    medians = {label: report(label, r) for label, r in runs.items()}
    if len(medians) == 2:
        ours, base = medians.values()
        print("  ratio baseline/ours: " + ", ".join(
            f"{name} {base[name] / ours[name]:.1f}x" for name in ("first view", "radius change", "page switch")))
    shutil.rmtree(folder, ignore_errors=True)
    return 0


@contextmanager
def _nothing():
    yield None


if __name__ == "__main__":
    sys.exit(main())
