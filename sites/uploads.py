"""Checking uploaded files before anything reads them.

:func:`check_upload` decides what a file is from its bytes, never from its
name, and refuses (with :class:`errors.ImportRejected`, in the user's language)

* an empty file, or one over ``settings.upload_max_mb``;
* content that is none of the kinds allowed here (a renamed program, say); UTF-16 text (Excel's
  "Unicode text") with the message to save it as a UTF-8 or GBK CSV;
* a zip (zipped Shapefile, XLSX) that is unsafe, judged from its directory
  *before* anything is unpacked: more than :data:`MAX_ZIP_MEMBERS` members, a
  total unpacked size over ``settings.upload_max_unzipped_mb``, a member
  compressed more than :data:`MAX_RATIO` to 1 (a zip bomb), an absolute path
  or a ``..`` that climbs out of the folder, an encrypted member or a symbolic
  link. Python's :mod:`zipfile` (used by openpyxl) never unpacks more than a
  member's declared size, so the declared sizes checked here are a real bound;
* an XLSX whose XML parts declare a DTD or entities (billion laughs, external
  entities): each part is read with ``defusedxml`` and ``forbid_dtd``; openpyxl
  itself parses through ``defusedxml`` when it is installed (it is a
  requirement).

:func:`stored_upload` writes accepted bytes to a new temporary folder under a
generated name (``upload.<ext>`` for the detected kind), so a name chosen by a
user never becomes a path; the folder is removed afterwards. The user's file
name only appears, cleaned, in messages (:func:`display_name`).
"""

from __future__ import annotations

import io
import json
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse

from errors import ImportRejected, Problem
from settings import Settings, get_settings

UploadKind = Literal["csv", "xlsx", "geojson", "gpkg", "shapefile_zip", "geotiff"]

#: (Chinese, English) name and the extension it is stored under, per kind.
KINDS: dict[str, tuple[str, str, str]] = {
    "csv": ("CSV 表格", "a CSV table", ".csv"),
    "xlsx": ("Excel 表格（.xlsx）", "an Excel workbook (.xlsx)", ".xlsx"),
    "geojson": ("GeoJSON", "GeoJSON", ".geojson"),
    "gpkg": ("GeoPackage", "a GeoPackage", ".gpkg"),
    "shapefile_zip": ("压缩的 Shapefile（.zip）", "a zipped Shapefile (.zip)", ".zip"),
    "geotiff": ("GeoTIFF 栅格", "a GeoTIFF raster", ".tif"),
}
MAX_ZIP_MEMBERS = 500
#: Largest compression ratio of one member (real XLSX sheets and DBF files stay far below).
MAX_RATIO = 200.0
#: Members smaller than this are not ratio-checked (tiny files compress oddly).
RATIO_MIN_BYTES = 1_000_000
MB = 1_000_000

_SQLITE = b"SQLite format 3\x00"
_GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
_TIFF = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
#: Byte-order marks of UTF-16 text (Excel's "Unicode text" save: tab-separated UTF-16).
_UTF16 = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """An accepted upload on disk: ``path`` has a generated name; ``name`` is the user's, cleaned."""

    path: Path
    kind: UploadKind
    name: str


def display_name(name: str | None) -> str:
    """The last part of a user's file name, without control characters, at most 100 characters."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if ch.isprintable())
    return text[:100] or "upload"


def check_upload(name: str | None, data: bytes, allowed: Collection[UploadKind], *,
                 settings: Settings | None = None) -> UploadKind:
    """The kind of an uploaded file, judged from ``data``; refuse it unless safe and in ``allowed``."""
    settings = settings or get_settings()
    shown = display_name(name)
    if not data:
        raise ImportRejected(Problem("upload.empty", {"name": shown}))
    if len(data) > settings.upload_max_mb * MB:
        raise ImportRejected(Problem("upload.too_large", {"name": shown, "mb": len(data) / MB,
                                                          "limit": settings.upload_max_mb}))
    if data.startswith(_UTF16) and "csv" in allowed:  # Excel's "Unicode text": say how to save it instead
        raise ImportRejected(Problem("sites.file_encoding", file=shown))
    kind = _sniff(shown, data, settings)
    if kind is None:
        raise ImportRejected(Problem("upload.kind_unknown", {"name": shown, **_allowed(allowed)}))
    if kind not in allowed:
        zh, en, _ = KINDS[kind]
        raise ImportRejected(Problem("upload.kind_not_allowed", {"name": shown, "kind": zh, "kind_en": en,
                                                                 **_allowed(allowed)}))
    return kind


@contextmanager
def stored_upload(name: str | None, data: bytes, allowed: Collection[UploadKind], *,
                  settings: Settings | None = None) -> Iterator[StoredUpload]:
    """Check an upload, write it to a new temporary folder under a generated name, remove it afterwards."""
    kind = check_upload(name, data, allowed, settings=settings)
    folder = Path(tempfile.mkdtemp(prefix="sites-upload-"))
    try:
        path = folder / f"upload{KINDS[kind][2]}"
        path.write_bytes(data)
        yield StoredUpload(path=path, kind=kind, name=display_name(name))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _allowed(allowed: Collection[UploadKind]) -> dict[str, str]:
    kinds = [k for k in KINDS if k in allowed]
    return {"allowed": "、".join(KINDS[k][0] for k in kinds), "allowed_en": ", ".join(KINDS[k][1] for k in kinds)}


def _sniff(shown: str, data: bytes, settings: Settings) -> UploadKind | None:
    if data.startswith(_ZIP):
        return _sniff_zip(shown, data, settings)
    if data.startswith(_SQLITE):
        return "gpkg" if data[68:72] in _GPKG_IDS else None
    if data.startswith(_TIFF):
        return "geotiff"
    if b"\x00" in data:
        return None  # text files never hold NUL bytes; programs and other binaries do
    text = _text(data)
    if text is None:
        return None
    if text.lstrip().startswith("{"):
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            return None
        return "geojson" if isinstance(value, dict) and isinstance(value.get("type"), str) else None
    return "csv"


def _text(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if not ch.isprintable() and ch not in "\r\n\t")
        return text if controls <= len(text) // 100 else None
    return None


def _sniff_zip(shown: str, data: bytes, settings: Settings) -> UploadKind | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportRejected(Problem("upload.zip_bad", {"name": shown})) from exc
    with archive:
        members = archive.infolist()
        _check_members(shown, members, settings)
        names = [m.filename for m in members]
        lower = [n.lower() for n in names]
        if "[content_types].xml" in lower and any(n.startswith("xl/") for n in lower):
            _check_xml_parts(shown, archive, members)
            return "xlsx"
        if any(n.endswith(".shp") for n in lower):
            return "shapefile_zip"
    return None


def _check_members(shown: str, members: list[zipfile.ZipInfo], settings: Settings) -> None:
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportRejected(Problem("upload.zip_too_many", {"name": shown, "count": len(members),
                                                             "limit": MAX_ZIP_MEMBERS}))
    total = 0
    for member in members:
        path = member.filename.replace("\\", "/")
        parts = path.split("/")
        if path.startswith("/") or (len(parts[0]) == 2 and parts[0][1] == ":") or ".." in parts:
            member_shown = "".join(c for c in path if c.isprintable())[:200]
            raise ImportRejected(Problem("upload.zip_unsafe_path", {"name": shown, "member": member_shown}))
        if member.flag_bits & 0x1 or stat.S_ISLNK(member.external_attr >> 16):
            raise ImportRejected(Problem("upload.zip_nested", {"name": shown, "member": parts[-1][:100]}))
        total += member.file_size
        if member.file_size >= RATIO_MIN_BYTES and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise ImportRejected(Problem("upload.zip_ratio", {
                "name": shown, "member": parts[-1][:100], "ratio": member.file_size / max(member.compress_size, 1)}))
    if total > settings.upload_max_unzipped_mb * MB:
        raise ImportRejected(Problem("upload.zip_too_large", {"name": shown, "mb": total / MB,
                                                              "limit": settings.upload_max_unzipped_mb}))


def _check_xml_parts(shown: str, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    """Refuse any XML part that declares a DTD or entities; stop reading each part at its root element."""
    for member in members:
        if not member.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with archive.open(member) as fh:
                for _ in iterparse(fh, events=("start",), forbid_dtd=True):
                    break
        except DefusedXmlException as exc:
            raise ImportRejected(Problem("upload.xml_dtd", {"name": shown, "member": member.filename[:100]})) \
                from exc
        except (ParseError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ImportRejected(Problem("upload.xml_bad", {"name": shown, "member": member.filename[:100]})) \
                from exc
