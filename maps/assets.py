"""The web map's JavaScript and CSS, served from the user's own machine.

Union offices often sit on intranets, and public CDNs are slow or blocked in
China, so the map never loads Leaflet from the internet. At set-up time
(``python -m geodata assets``, run by ``scripts/setup.sh``) :func:`fetch_assets`
downloads pinned npm tarballs from the npm registry, checks each against its
pinned ``sha512`` integrity, and extracts only the files the map needs into
``static/vendor/<package>/`` (ignored by git). Streamlit serves that folder at
``/app/static/vendor/...`` (``enableStaticServing`` in ``.streamlit/config.toml``).

:func:`use_local_assets` points a folium map and its children at those copies
and raises :class:`errors.MapError` when an element needs a file we do not
have; :func:`standalone_html` inlines them into one HTML file that opens with
no network at all.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import io
import json
import re
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import branca.element
import folium

from errors import MapError, Problem
from settings import PROJECT_ROOT

REGISTRY = "https://registry.npmjs.org"
VENDOR_DIR = PROJECT_ROOT / "static" / "vendor"
#: Where Streamlit serves ``VENDOR_DIR`` (``static/`` is served at ``/app/static``).
URL_PREFIX = "/app/static/vendor"
MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class NpmPackage:
    """A pinned npm package and the files of it that the map needs.

    ``integrity`` is the registry's ``dist.integrity`` (``sha512-<base64>``).
    ``files`` are glob patterns relative to ``root`` inside the tarball's
    ``package/`` folder; they keep their relative paths under
    ``static/vendor/<name>/`` (so ``leaflet.css`` still finds ``images/``).
    """

    name: str
    version: str
    integrity: str
    files: tuple[str, ...]
    root: str = "dist/"

    @property
    def tarball_name(self) -> str:
        return f"{self.name.rsplit('/', 1)[-1]}-{self.version}.tgz"

    def tarball_url(self, registry: str = REGISTRY) -> str:
        return f"{registry.rstrip('/')}/{self.name}/-/{self.tarball_name}"


#: Integrity values from https://registry.npmjs.org/<name>/<version> → dist.integrity.
PACKAGES: tuple[NpmPackage, ...] = (
    NpmPackage(
        name="leaflet",
        version="1.9.4",
        integrity="sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        files=("leaflet.js", "leaflet.css", "images/*.png"),
    ),
    NpmPackage(
        name="leaflet.markercluster",
        version="1.5.3",
        integrity="sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==",
        files=("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"),
    ),
)

#: folium's link names (``default_js``/``default_css`` keys) → (package, file) of the local copy.
LOCAL_JS: dict[str, tuple[str, str]] = {
    "leaflet": ("leaflet", "leaflet.js"),
    "markerclusterjs": ("leaflet.markercluster", "leaflet.markercluster.js"),
}
LOCAL_CSS: dict[str, tuple[str, str]] = {
    "leaflet_css": ("leaflet", "leaflet.css"),
    "markerclustercss": ("leaflet.markercluster", "MarkerCluster.css"),
    "markerclusterdefaultcss": ("leaflet.markercluster", "MarkerCluster.Default.css"),
}
#: What ``folium.Map`` loads for ``folium.Icon`` only; dropped, since ``folium.Icon`` is refused.
_MAP_ICON_LINKS = frozenset(
    {"jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
     "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css"}
)


def asset_url(package: str, file: str) -> str:
    """The URL path under which Streamlit serves a vendored file."""
    return f"{URL_PREFIX}/{package}/{file}"


def local_path(url: str, vendor_dir: Path = VENDOR_DIR) -> Path:
    """The file on disk behind a ``/app/static/vendor/...`` URL."""
    if not url.startswith(URL_PREFIX + "/"):
        raise ValueError(f"{url!r} is not under {URL_PREFIX}")
    return vendor_dir / url[len(URL_PREFIX) + 1:]


# ------------------------------------------------------------------ fetching


def verify_integrity(data: bytes, integrity: str, *, package: str) -> None:
    """Raise :class:`MapError` unless ``data`` has the npm ``sha512-<base64>`` digest."""
    algo, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algo, data).digest()).decode("ascii")
    if actual != expected:
        raise MapError(Problem("map.integrity", {"package": package, "expected": integrity,
                                                 "actual": f"{algo}-{actual}"}))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_installed(package: NpmPackage, vendor_dir: Path = VENDOR_DIR) -> bool:
    """True when ``vendor_dir/<name>`` holds this version, every file intact."""
    folder = vendor_dir / package.name
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if manifest.get("version") != package.version or manifest.get("integrity") != package.integrity:
        return False
    files: dict[str, str] = manifest.get("files", {})
    return bool(files) and all((folder / f).is_file() and _sha256(folder / f) == h for f, h in files.items())


def _members(package: NpmPackage, tar: tarfile.TarFile) -> Iterator[tuple[tarfile.TarInfo, str]]:
    """The tarball's regular files that match ``package.files``, with their relative paths."""
    prefix = f"package/{package.root}"
    for member in tar.getmembers():
        parts = PurePosixPath(member.name).parts
        if not member.isfile() or ".." in parts or member.name.startswith("/"):
            continue
        if not member.name.startswith(prefix):
            continue
        rel = member.name[len(prefix):]
        if any(fnmatch.fnmatchcase(rel, pattern) for pattern in package.files):
            yield member, rel


def install_tarball(package: NpmPackage, data: bytes, vendor_dir: Path = VENDOR_DIR) -> Path:
    """Verify an npm tarball and extract the package's files into ``vendor_dir/<name>``.

    The files are written to a temporary folder next to the destination and
    renamed into place, so a failure never leaves a half-installed package.
    Returns the package folder.
    """
    verify_integrity(data, package.integrity, package=package.name)
    vendor_dir.mkdir(parents=True, exist_ok=True)
    dest = vendor_dir / package.name
    tmp = Path(tempfile.mkdtemp(prefix=f".{package.name}-", dir=vendor_dir))
    try:
        hashes: dict[str, str] = {}
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for member, rel in _members(package, tar):
                target = tmp / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None  # regular files always have content
                target.write_bytes(source.read())
                hashes[rel] = _sha256(target)
        for pattern in package.files:
            if not any(fnmatch.fnmatchcase(rel, pattern) for rel in hashes):
                raise MapError(Problem("map.tarball_incomplete", {"package": package.name, "file": pattern}))
        manifest = {"name": package.name, "version": package.version, "integrity": package.integrity,
                    "files": hashes}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        old = None
        if dest.exists():
            old = dest.with_name(f".{package.name}-old")
            shutil.rmtree(old, ignore_errors=True)
            dest.rename(old)
        tmp.rename(dest)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _download(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.read()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise MapError(Problem("map.assets_unreachable", {"url": url, "reason": str(reason)})) from exc


def fetch_assets(
    force: bool = False,
    log: Callable[[str], object] = print,
    *,
    packages: tuple[NpmPackage, ...] = PACKAGES,
    vendor_dir: Path = VENDOR_DIR,
    registry: str = REGISTRY,
) -> list[Path]:
    """Download, verify and extract the map's packages; skip those already installed.

    ``force`` fetches again even when a package is present and intact.
    Raises :class:`MapError` (bilingual) when the registry cannot be reached or
    a tarball fails its integrity check. Returns the package folders.
    """
    folders = []
    for package in packages:
        if not force and is_installed(package, vendor_dir):
            log(f"{package.name} {package.version}: 已就绪 / present")
            folders.append(vendor_dir / package.name)
            continue
        url = package.tarball_url(registry)
        log(f"{package.name} {package.version}: 下载 / downloading {url}")
        folders.append(install_tarball(package, _download(url), vendor_dir))
    return folders


def require_assets(vendor_dir: Path = VENDOR_DIR, packages: tuple[NpmPackage, ...] = PACKAGES) -> None:
    """Raise :class:`MapError` naming every package not installed in ``vendor_dir``."""
    missing = [f"{vendor_dir / p.name}" for p in packages if not is_installed(p, vendor_dir)]
    if missing:
        raise MapError(Problem("map.assets_missing", {"files": ", ".join(missing)}))


# ------------------------------------------------------------ folium wiring


def _elements(root: branca.element.Element) -> Iterator[branca.element.Element]:
    yield root
    for child in root._children.values():
        yield from _elements(child)


def use_local_assets(m: folium.Map, vendor_dir: Path = VENDOR_DIR) -> folium.Map:
    """Point ``m`` and every child's ``default_js``/``default_css`` at the vendored copies.

    The map itself keeps only Leaflet (folium's jQuery, Bootstrap and
    awesome-markers serve ``folium.Icon`` alone, which is refused here). Raises
    :class:`MapError` listing every element that needs an asset with no local
    copy, and when a needed file is not on disk. Returns ``m``.
    """
    problems: list[Problem] = []
    needed: set[str] = set()
    for element in _elements(m):
        if isinstance(element, folium.Icon):
            problems.append(Problem("map.icon_unsupported", {"element": type(element).__name__}))
        for attr, table in (("default_js", LOCAL_JS), ("default_css", LOCAL_CSS)):
            links = getattr(element, attr, None)
            if not links:
                continue
            local = []
            for name, url in links:
                if isinstance(element, folium.Map) and name in _MAP_ICON_LINKS:
                    continue
                if name not in table:
                    problems.append(Problem("map.asset_unknown",
                                            {"element": type(element).__name__, "name": name, "url": url}))
                    continue
                local.append((name, asset_url(*table[name])))
                needed.add(local[-1][1])
            # An instance attribute: folium's class-level lists stay untouched.
            setattr(element, attr, local)
    missing = sorted(url for url in needed if not local_path(url, vendor_dir).is_file())
    if missing:
        problems.append(Problem("map.assets_missing", {"files": ", ".join(missing)}))
    if problems:
        raise MapError(problems)
    return m


_PREFIX_RE = re.escape(URL_PREFIX)
_SCRIPT_SRC = re.compile(rf'<script src="({_PREFIX_RE}/[^"]+)"></script>')
_CSS_LINK = re.compile(rf'<link rel="stylesheet" href="({_PREFIX_RE}/[^"]+)"/>')
_CSS_URL = re.compile(r"url\((?!data:)([^)'\"]+)\)")


def _inline_css(path: Path) -> str:
    """The stylesheet with its relative ``url(...)`` images turned into data URIs."""
    css = path.read_text(encoding="utf-8")

    def data_uri(match: re.Match[str]) -> str:
        image = path.parent / match.group(1)
        if not image.is_file():
            return match.group(0)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/{image.suffix.lstrip('.')};base64,{encoded})"

    return _CSS_URL.sub(data_uri, css)


def standalone_html(m: folium.Map, vendor_dir: Path = VENDOR_DIR) -> str:
    """The map as one HTML document with Leaflet's JS, CSS and images inlined.

    It opens from a file or an e-mail attachment with no network. The map must
    not need anything beyond the vendored assets (see :func:`use_local_assets`).
    """
    html = use_local_assets(m, vendor_dir).get_root().render()

    def script(match: re.Match[str]) -> str:
        code = local_path(match.group(1), vendor_dir).read_text(encoding="utf-8")
        return "<script>" + code.replace("</script", "<\\/script") + "</script>"

    def style(match: re.Match[str]) -> str:
        return "<style>" + _inline_css(local_path(match.group(1), vendor_dir)) + "</style>"

    return _CSS_LINK.sub(style, _SCRIPT_SRC.sub(script, html))
