"""The site record, its statuses and the names users may type for types and statuses.

A :class:`Site` is one worker service site as stored: its position is in WGS84
degrees (EPSG:4326) whatever system it was entered in, and ``town_code`` is the
code of the region's town that contains it (filled by point-in-polygon at every
write, ``None`` only for a point explicitly allowed outside every town).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields

from settings import Language, Settings, load_site_types

#: A site's lifecycle: planned → under construction → open → (suspended / closed).
STATUSES = ("planned", "under_construction", "open", "suspended", "closed")

STATUS_NAMES: dict[str, tuple[str, str]] = {
    "planned": ("规划中", "Planned"),
    "under_construction": ("在建", "Under construction"),
    "open": ("开放", "Open"),
    "suspended": ("暂停", "Suspended"),
    "closed": ("关闭", "Closed"),
}

#: Other spellings staff use for statuses (matched after lower-casing and trimming).
_STATUS_ALIASES: dict[str, str] = {
    "规划": "planned", "计划": "planned", "拟建": "planned", "筹建": "planned",
    "建设中": "under_construction", "施工中": "under_construction", "under construction": "under_construction",
    "开放中": "open", "已开放": "open", "运营": "open", "运营中": "open", "正常": "open", "在用": "open",
    "暂停开放": "suspended", "停用": "suspended", "已暂停": "suspended",
    "已关闭": "closed", "关停": "closed", "撤销": "closed", "已撤销": "closed",
}

#: Other names of the built-in types (DOMAIN.md) besides those in settings.
_TYPE_ALIASES: dict[str, str] = {
    "职工·家服务中心": "service_centre", "“职工·家”服务中心": "service_centre", "职工之家": "service_centre",
    "职工服务站": "service_centre", "服务中心": "service_centre",
    "书屋": "book_room",
    "工会妈妈爱心小屋": "nursing_room", "妈妈小屋": "nursing_room", "母婴室": "nursing_room",
    "爱心驿站": "rest_station", "户外劳动者(工会)爱心驿站": "rest_station",
    "户外劳动者（工会）爱心驿站": "rest_station", "工会爱心驿站": "rest_station",
    "文化宫": "cultural_palace",
}


@dataclass(frozen=True, slots=True)
class Site:
    """One stored site. ``lng``/``lat`` are WGS84 degrees; dates are calendar dates.

    ``created_at``/``updated_at`` are UTC ISO 8601 timestamps (``...Z``).
    ``version`` starts at 1 and grows by one with every write of the site: a
    write may require the version it was based on (optimistic concurrency, see
    :meth:`sites.store.SiteStore.update`).
    """

    id: int
    name: str
    type: str
    status: str
    lng: float
    lat: float
    town_code: str | None
    address: str = ""
    host_org: str = ""
    opened_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    notes: str = ""
    source: str = ""
    created_by: str = ""
    created_at: str = ""
    updated_by: str = ""
    updated_at: str = ""
    version: int = 1

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready values (dates as ISO strings)."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.isoformat() if isinstance(value, datetime.date) else value
        return out


#: The fields of a site a user enters (everything but id, town, audit stamps and version).
INPUT_FIELDS = ("name", "type", "status", "lng", "lat", "address", "host_org",
                "opened_on", "closed_on", "notes", "source")
#: Every field of :class:`Site`, in order.
SITE_FIELDS = tuple(f.name for f in fields(Site))


@dataclass(frozen=True, slots=True)
class SiteDraft:
    """A validated site not yet written: WGS84 degrees, town assigned, dates parsed.

    ``row`` is where it came from (line number in a file, or ``None``).
    """

    name: str
    type: str
    status: str
    lng: float
    lat: float
    town_code: str | None
    address: str = ""
    host_org: str = ""
    opened_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    notes: str = ""
    source: str = ""
    row: int | None = None


#: Sources that say what a record is rather than where it came from, worded in each language (tables, exports);
#: an import reads either wording back as the source itself.
SOURCE_NAMES: dict[str, tuple[str, str]] = {"demo": ("演示数据", "demo")}


def source_name(source: str, lang: Language) -> str:
    """A site's ``source`` as a table or export shows it: the demo sample as 演示数据 / demo, any other as stored."""
    zh, en = SOURCE_NAMES.get(source, (source, source))
    return zh if lang == "zh" else en


def source_key(text: str) -> str:
    """The stored ``source`` of a source as read from a file: 演示数据 (or demo) is the demo sample."""
    for key, names in SOURCE_NAMES.items():
        if text.strip() in names:
            return key
    return text


def status_name(status: str, lang: Language) -> str:
    zh, en = STATUS_NAMES.get(status, (status, status))
    return zh if lang == "zh" else en


def type_lookup(settings: Settings | None = None) -> dict[str, str]:
    """Every accepted spelling of a site type (lower-cased) → its key.

    Keys, Chinese and English names come from :func:`settings.load_site_types`,
    so a type a federation adds is accepted by all its names too.
    """
    lookup = {_norm(alias): key for alias, key in _TYPE_ALIASES.items()}
    for t in load_site_types(settings):
        lookup[_norm(t.key)] = t.key
        lookup[_norm(t.name_zh)] = t.key
        lookup[_norm(t.name_en)] = t.key
    return lookup


def status_lookup() -> dict[str, str]:
    """Every accepted spelling of a status (lower-cased) → its key."""
    lookup = {_norm(alias): key for alias, key in _STATUS_ALIASES.items()}
    for key, (zh, en) in STATUS_NAMES.items():
        lookup[_norm(key)] = key
        lookup[_norm(zh)] = key
        lookup[_norm(en)] = key
    return lookup


def _norm(text: str) -> str:
    return " ".join(str(text).strip().lower().replace("_", " ").split())
