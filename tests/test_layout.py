"""The house rules of the layout, read from the source with ``ast`` (nothing is imported or run).

* No import circles between the product's modules (imports run when a module is loaded: module level,
  class bodies, ``try``/``if`` blocks; not function bodies, not ``if TYPE_CHECKING:``); and, as the goal,
  none either when the lazy imports inside functions are counted.
* Each library lives in the rooms that own it: ``streamlit`` in ``app.py`` and ``app_pages/``, folium and
  branca in ``maps/`` (``app_pages/`` only calls ``streamlit_folium.st_folium``), ``sqlite3`` in
  ``database/``, and ``argparse`` nowhere (the command lines are built on click). Here every import
  counts, lazy ones inside functions too.

The product is every top-level module and package of the repository except tests, benchmarks and
scripts (developer tools, not shipped).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOT_PRODUCT = frozenset({"tests", "benchmarks", "scripts", "static", "venv"})

#: library (top-level import name) -> the rooms (module or package names) allowed to import it
ROOMS: dict[str, tuple[str, ...]] = {
    "streamlit": ("app", "app_pages"),
    "streamlit_folium": ("app_pages",),
    "folium": ("maps",),
    "branca": ("maps",),
    "sqlite3": ("database",),
    "psycopg": ("database",),
    "argparse": (),
}


# ------------------------------------------------------------------ reading the source


def module_name(path: Path, root: Path = ROOT) -> str:
    """``sites/store.py`` -> ``sites.store``; ``sites/__init__.py`` -> ``sites``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the product: top-level ``*.py`` files and the ``*.py`` files of its folders."""
    modules = {module_name(p, root): p for p in root.glob("*.py")}
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.name in NOT_PRODUCT or folder.name.startswith((".", "_")):
            continue
        for path in folder.rglob("*.py"):
            if "__pycache__" not in path.parts:
                modules[module_name(path, root)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(node: ast.AST, *, load_time_only: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif load_time_only and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue  # runs when called, not when the module loads
        elif load_time_only and isinstance(child, ast.If) and _is_type_checking(child.test):
            yield from _imports(ast.Module(body=child.orelse, type_ignores=[]), load_time_only=True)
        else:
            yield from _imports(child, load_time_only=load_time_only)


def imported_names(source: str, module: str, *, is_package: bool = False,
                   load_time_only: bool = False) -> set[str]:
    """Absolute dotted names a module imports: ``import a.b`` -> ``a.b``; ``from a import b`` -> ``a.b``
    and ``a`` (``b`` may be a module or a name in ``a``); relative imports resolved against ``module``."""
    names: set[str] = set()
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in _imports(ast.parse(source), load_time_only=load_time_only):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
            continue
        if node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            target = ".".join([*base, node.module] if node.module else base)
        else:
            target = node.module or ""
        names.add(target)
        names.update(f"{target}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def import_graph(modules: dict[str, Path], *, load_time_only: bool = True) -> dict[str, set[str]]:
    """Module -> the product modules it imports (a ``from a import b`` counts ``a.b`` when that is a module,
    else ``a``)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = imported_names(path.read_text(encoding="utf-8"), name, is_package=path.name == "__init__.py",
                               load_time_only=load_time_only)
        graph[name] = {target for target in found if target in modules and target != name
                       and not _is_parent_of_found_module(target, found, modules)}
    return graph


def _is_parent_of_found_module(target: str, found: set[str], modules: dict[str, Path]) -> bool:
    """``from a import b`` yields ``a`` and ``a.b``; when ``a.b`` is a module, the edge goes to it only."""
    return any(other.startswith(target + ".") and other in modules for other in found)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def one_circle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """A concrete path ``a -> b -> ... -> a`` inside a component, for the failure message."""
    members = set(component)
    start = component[0]
    path, seen = [start], {start}
    while True:
        nxt = sorted(graph[path[-1]] & members)
        back = [n for n in nxt if n == start]
        if back and len(path) > 1:
            return [*path, start]
        step = next((n for n in nxt if n not in seen), None)
        if step is None:
            return [*path, start]
        path.append(step)
        seen.add(step)


def importers(library: str, modules: dict[str, Path]) -> dict[str, list[str]]:
    """Product modules that import ``library`` anywhere (lazy imports too) -> the names they import."""
    out: dict[str, list[str]] = {}
    for name, path in modules.items():
        found = imported_names(path.read_text(encoding="utf-8"), name, is_package=path.name == "__init__.py")
        hits = sorted(n for n in found if n == library or n.startswith(library + "."))
        if hits:
            out[name] = hits
    return out


def in_rooms(module: str, rooms: tuple[str, ...]) -> bool:
    return any(module == room or module.startswith(room + ".") for room in rooms)


# ------------------------------------------------------------------ the reader, on known answers


def test_imports_are_read_as_the_interpreter_resolves_them():
    source = (
        "import os, a.b\n"
        "from . import sibling\n"
        "from .. import uncle\n"
        "from .x import y as z\n"
        "from c import d\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from e import f\n"
        "else:\n"
        "    import g\n"
        "try:\n"
        "    import h\n"
        "except ImportError:\n"
        "    h = None\n"
        "class K:\n"
        "    import k\n"
        "def lazy():\n"
        "    import m\n"
    )
    loaded = imported_names(source, "pkg.sub.mod", load_time_only=True)
    assert loaded == {"os", "a.b", "pkg.sub", "pkg.sub.sibling", "pkg", "pkg.uncle", "pkg.sub.x", "pkg.sub.x.y",
                      "c", "c.d", "typing", "typing.TYPE_CHECKING", "g", "h", "k"}
    everything = imported_names(source, "pkg.sub.mod")
    assert everything == loaded | {"e", "e.f", "m"}
    # in a package's __init__, "." is the package itself
    assert imported_names("from . import a\nfrom .b import c\n", "pkg", is_package=True) == {
        "pkg", "pkg.a", "pkg.b", "pkg.b.c"}


def test_the_circle_finder_on_a_graph_drawn_on_paper():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"a", "f"}, "f": {"e"}, "g": {"g"}}
    found = cycles(graph)
    assert found == [["a", "b", "c"], ["e", "f"]]  # a self-import is no circle between modules
    assert one_circle(graph, found[0]) == ["a", "b", "c", "a"]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_an_import_graph_from_files(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("from .one import x\n", encoding="utf-8")
    (tmp_path / "pkg" / "one.py").write_text("from pkg import two\nx = 1\n", encoding="utf-8")
    (tmp_path / "pkg" / "two.py").write_text("def f():\n    from pkg.one import x\n", encoding="utf-8")
    (tmp_path / "top.py").write_text("import pkg.two\nimport json\n", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("import top\n", encoding="utf-8")
    modules = product_modules(tmp_path)
    assert sorted(modules) == ["pkg", "pkg.one", "pkg.two", "top"]
    graph = import_graph(modules)
    assert graph == {"pkg": {"pkg.one"}, "pkg.one": {"pkg.two"}, "pkg.two": set(), "top": {"pkg.two"}}
    assert cycles(graph) == []  # pkg.two -> pkg.one runs only when f() is called
    (tmp_path / "pkg" / "two.py").write_text("from pkg.one import x\n", encoding="utf-8")
    assert cycles(import_graph(modules)) == [["pkg.one", "pkg.two"]]


# ------------------------------------------------------------------ the product


PRODUCT = product_modules()


def test_the_product_is_found():
    rooms = {name.split(".")[0] for name in PRODUCT}
    assert {"app", "app_pages", "sites", "geodata", "scoring", "maps", "cli", "database"} <= rooms
    assert not rooms & NOT_PRODUCT


def test_no_import_circles_between_modules():
    graph = import_graph(PRODUCT)
    circles = [" -> ".join(one_circle(graph, component)) for component in cycles(graph)]
    assert circles == [], "import circles (module level):\n" + "\n".join(circles)


def test_no_import_circles_even_through_imports_inside_functions():
    """A lazy import inside a function only hides a circle from the interpreter; the rooms still lean on
    each other. Counted here with every import."""
    graph = import_graph(PRODUCT, load_time_only=False)
    circles = [" -> ".join(one_circle(graph, component)) for component in cycles(graph)]
    assert circles == [], "import circles (counting imports inside functions):\n" + "\n".join(circles)


@pytest.mark.parametrize("library", [
    "streamlit",
    "streamlit_folium",
    "folium",
    "branca",
    "sqlite3",
    "psycopg",
    "argparse",
])
def test_library_is_imported_only_in_its_rooms(library):
    rooms = ROOMS[library]
    outside = {module: names for module, names in importers(library, PRODUCT).items() if not in_rooms(module, rooms)}
    assert outside == {}, f"{library} imported outside {rooms or 'the product'}: {outside}"


# ------------------------------------------------------------------ the tests themselves


def private_reads(source: str) -> list[str]:
    """``obj._name`` reads in ``source`` where ``obj`` is not ``self``/``cls`` (a library's insides);
    dunders (``__name__``) are public."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
            found.append((node.lineno, node.col_offset, f"{node.lineno}: {ast.unparse(node)}"))
    return [text for _, _, text in sorted(found)]


def test_private_reads_are_found():
    source = ("class A:\n    def f(self):\n        return self._x, cls._y, type(self).__name__\n"
              "m._children.values()\nat._tree\nx.public\n")
    assert private_reads(source) == ["4: m._children", "5: at._tree"]


def test_tests_read_no_private_attributes_of_libraries():
    """Tests assert behaviour (the page in a browser, the data passed in, public APIs), never a library's
    private attributes such as folium's ``_children`` or AppTest's ``_tree``."""
    found = {path.name: private_reads(path.read_text(encoding="utf-8"))
             for path in sorted((ROOT / "tests").glob("*.py"))}
    assert {name: reads for name, reads in found.items() if reads} == {}
