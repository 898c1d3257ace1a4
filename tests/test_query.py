"""The coverage query (built and validated once at the edge) and the purity of the numeric core."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
from scoring_fixtures import sites_frame, towns_frame

from errors import RecordError
from scoring.coverage import coverage
from scoring.query import CoverageQuery, DemandRef

pytestmark = pytest.mark.usefixtures("english")

DEFAULTS = {"book_room": 500.0, "nursing_room": 300.0, "service_centre": 1000.0}
SCORING = Path(__file__).resolve().parents[1] / "scoring"


def test_bad_radius_is_refused_with_a_clear_error_when_the_query_is_built():
    with pytest.raises(RecordError, match="radius -5 is not valid: expected a number of metres > 0"):
        CoverageQuery.build("book_room", -5, defaults_m=DEFAULTS)
    with pytest.raises(RecordError, match="radius nan is not valid"):
        CoverageQuery(("book_room",), (("book_room", float("nan")),))
    with pytest.raises(RecordError, match="radius abc is not valid"):
        CoverageQuery.build(["book_room"], {"book_room": "abc"}, defaults_m=DEFAULTS)


def test_every_problem_is_named_at_once():
    with pytest.raises(RecordError) as info:
        CoverageQuery(("book_room", "nursing_room"), (("book_room", 0), ("nursing_room", -1)),
                      statuses=("opened",), distance="walking")
    text = str(info.value)
    assert "radius 0 is not valid" in text and "radius -1 is not valid" in text
    assert "unknown site status 'opened'" in text
    assert "distance mode 'walking' is not valid; choose one of straight" in text


def test_unknown_type_and_defaults():
    with pytest.raises(RecordError, match="unknown site type 'library'"):
        CoverageQuery.build("library", None, defaults_m=DEFAULTS)
    q = CoverageQuery.build("all", {"nursing_room": 250}, defaults_m=DEFAULTS)
    assert q.types == ("book_room", "nursing_room", "service_centre")
    assert q.radii == {"book_room": 500.0, "nursing_room": 250.0, "service_centre": 1000.0}
    assert q.radius_m("nursing_room") == 250.0 and isinstance(q.radius_m("nursing_room"), float)
    assert q.statuses == ("open",) and q.as_of is None and q.demand is None and q.distance == "straight"
    one = CoverageQuery.build("book_room", 800, defaults_m=DEFAULTS)
    assert one.radii_m == (("book_room", 800.0),)


def test_equal_queries_hash_equal_and_a_radius_change_is_a_new_cache_key():
    a = CoverageQuery.build(["book_room", "nursing_room"], {"book_room": 500}, defaults_m=DEFAULTS,
                            statuses=["open", "planned"], as_of=date(2025, 6, 30),
                            demand=DemandRef("/tmp/d.csv", "people"))
    b = CoverageQuery(("book_room", "nursing_room"), (("book_room", 500.0), ("nursing_room", 300)),
                      statuses=("open", "planned"), as_of=date(2025, 6, 30), demand=DemandRef("/tmp/d.csv", "people"))
    assert a == b and hash(a) == hash(b)
    cache = {("db", 7, a): "result"}
    assert cache[("db", 7, b)] == "result"  # the loaders' key: database, revision, query
    wider = a.replace(radii_m=(("book_room", 600.0), ("nursing_room", 300.0)))
    assert wider != a and ("db", 7, wider) not in cache
    assert a.replace(as_of=date(2025, 7, 1)) != a and a.replace(demand=None) != a
    with pytest.raises(RecordError, match="radius 0 is not valid"):
        a.replace(radii_m=(("book_room", 0), ("nursing_room", 300.0)))  # a changed query is validated too
    with pytest.raises(AttributeError):
        a.types = ("book_room",)  # frozen


def test_the_engine_takes_the_query_whole():
    towns = towns_frame([(0, 0, 2000, 2000)])
    sites = sites_frame([{"type": "book_room", "x": 1000, "y": 1000}])
    query = CoverageQuery.build("book_room", 500, defaults_m=DEFAULTS)
    result = coverage(towns, sites, query)
    assert result.query is query and result.radii_m == {"book_room": 500.0}
    assert result.table["radius_m"].tolist() == [500.0]
    assert result.table["covered_km2"].iloc[0] == pytest.approx(3.141592653589793 * 0.25, rel=1e-6)


FORBIDDEN_MODULES = ("settings", "i18n", "sqlite3", "folium", "branca", "streamlit", "streamlit_folium", "argparse")


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted(p for p in SCORING.glob("*.py") if p.name != "__main__.py"),
                         ids=lambda p: p.name)
def test_the_numeric_core_reads_no_settings_environment_language_database_or_rendering(path):
    """scoring/ takes arrays and plain parameters (``__main__`` is only the CLI's entry point)."""
    source = path.read_text(encoding="utf-8")
    bad = _imports(ast.parse(source)) & set(FORBIDDEN_MODULES)
    assert not bad, f"{path.name} imports {sorted(bad)}"
    for text in ("os.environ", "getenv(", "lang=", "lang:", "get_settings", "default_language"):
        assert text not in source, f"{path.name} uses {text!r}"
    calls = {n.func.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert "t" not in calls and "tr" not in calls, f"{path.name} words text itself"


def test_the_radius_is_checked_in_one_place():
    """check_radius runs when a query is made, nowhere on the way to the core."""
    root = SCORING.parent
    callers = sorted(str(p.relative_to(root)) for p in root.glob("*/*.py")
                     if not p.parts[-2].startswith((".", "tests")) and "check_radius(" in p.read_text(encoding="utf-8"))
    assert callers == ["scoring/query.py"]


def test_every_progress_stage_is_worded_in_both_languages():
    """The core reports structured events; the edge words each stage with the same parameters."""
    from i18n import t
    from scoring.progress import STAGES, Progress

    samples = {"greedy": Progress("greedy", 0.1, done=2, total=5), "perturb": Progress("perturb", 0.4, done=1, total=12),
               "milp": Progress("milp", 0.8, primal=12.0, bound=13.0, gap=0.05)}
    for stage in STAGES:
        event = samples.get(stage, Progress(stage, 1.0))
        for lang in ("zh", "en"):
            assert t(f"scoring.progress.{stage}", lang, **event.params())
    assert t("scoring.progress.milp", "en", **samples["milp"].params()) == \
        "exact solve (HiGHS): best 12.0, bound 13.0, gap 5.00%"
