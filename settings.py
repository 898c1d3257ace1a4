"""Typed settings for the whole product: one place for defaults.

Every value can be overridden from the environment (or a ``.env`` file next to
the process), so nothing secret or machine-specific lives in the repository.

* ``SITES_DB``: path of the SQLite database file, or a PostgreSQL + PostGIS
  database as a libpq URL (``postgresql://USER@HOST/DB``, ``?host=/socket/dir``).
  Default: ``sites.db`` in the user's data directory
  (``platformdirs.user_data_dir("worker-sites")``), never inside the repository.
* ``SITES_TILES``: default base map, one of :data:`TILE_PROVIDERS`.
* ``SITES_TIANDITU_KEY``: API key of the ``tianditu`` base map (a secret: never in the repo).
* ``SITES_LANGUAGE``: default language, ``zh`` or ``en`` (any case): the app's
  first language and the language of command lines and errors; :func:`i18n.default_language`
  reads it once.
* ``SITES_STRICT_I18N``: ``1`` makes a missing message key raise ``KeyError``
  (the test suite runs strict); otherwise it shows as ``⟦key⟧``.
* ``SITES_RADIUS_<TYPE>_M``: default catchment radius of one site type in
  metres, e.g. ``SITES_RADIUS_REST_STATION_M=300``.
* ``SITES_TYPES_FILE``: a TOML file that adds site types (see
  :func:`load_site_types`).
* ``SITES_BOUNDARIES`` (+ ``SITES_BOUNDARIES_CRS``, ``SITES_BOUNDARIES_NAME_FIELD``,
  ``SITES_BOUNDARIES_CODE_FIELD``): the region's boundary file instead of the
  bundled Nanhai towns.
* ``SITES_MODE``: ``local`` (default; no sign-in) or ``shared`` (sign-in for every
  page and write), with ``SITES_SESSION_HOURS``, ``SITES_LOCKOUT_ATTEMPTS``,
  ``SITES_LOCKOUT_MINUTES``; uploads are limited by ``SITES_UPLOAD_MAX_MB`` and
  ``SITES_UPLOAD_MAX_UNZIPPED_MB``.
* ``SITES_TIMEZONE``: the time zone of the times the pages show (default ``Asia/Shanghai``); the
  database keeps UTC.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "worker-sites"
PROJECT_ROOT = Path(__file__).resolve().parent

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

#: Base maps the map page offers. ``none`` draws no tiles at all (offline).
TILE_PROVIDERS: tuple[str, ...] = ("none", "osm", "amap", "tianditu")


@dataclass(frozen=True, slots=True)
class SiteType:
    """One kind of worker service site.

    ``default_radius_m`` is the catchment radius in metres used unless the
    planner changes it; ``radius_basis_zh``/``radius_basis_en`` say where that
    number comes from so it is never a hidden constant.
    """

    key: str
    name_zh: str
    name_en: str
    default_radius_m: float
    radius_basis_zh: str
    radius_basis_en: str
    colour: str
    icon: str

    def name(self, lang: Language) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def radius_basis(self, lang: Language) -> str:
        return self.radius_basis_zh if lang == "zh" else self.radius_basis_en


#: The site types of DOMAIN.md. Federations add types with SITES_TYPES_FILE.
DEFAULT_SITE_TYPES: tuple[SiteType, ...] = (
    SiteType(
        key="service_centre",
        name_zh="职工服务中心",
        name_en="Worker service centre",
        default_radius_m=1000.0,
        radius_basis_zh="15分钟生活圈步行距离（约800–1000米，GB 50180-2018）",
        radius_basis_en="15-minute walking circle (about 800–1,000 m, GB 50180-2018)",
        colour="#d62728",
        icon="home",
    ),
    SiteType(
        key="book_room",
        name_zh="职工书屋",
        name_en="Worker book room",
        default_radius_m=500.0,
        radius_basis_zh="10分钟生活圈步行距离（约500米，GB 50180-2018）",
        radius_basis_en="10-minute walking circle (about 500 m, GB 50180-2018)",
        colour="#1f77b4",
        icon="book",
    ),
    SiteType(
        key="nursing_room",
        name_zh="爱心妈妈小屋",
        name_en="Nursing room",
        default_radius_m=300.0,
        radius_basis_zh="5分钟生活圈步行距离（约300米，GB 50180-2018），单位内小型设施",
        radius_basis_en="5-minute walking circle (about 300 m, GB 50180-2018); small in-workplace facility",
        colour="#e377c2",
        icon="heart",
    ),
    SiteType(
        key="rest_station",
        name_zh="户外劳动者爱心驿站",
        name_en="Outdoor-worker rest station",
        default_radius_m=500.0,
        radius_basis_zh="10分钟生活圈步行距离（约500米，GB 50180-2018），小型就近设施",
        radius_basis_en="10-minute walking circle (about 500 m, GB 50180-2018); small local facility",
        colour="#2ca02c",
        icon="coffee",
    ),
    SiteType(
        key="cultural_palace",
        name_zh="工人文化宫",
        name_en="Workers' cultural palace",
        default_radius_m=5000.0,
        radius_basis_zh="镇级设施，服务全镇；GB 50180-2018 未规定，取约5公里（骑行或公交约15分钟），可调整",
        radius_basis_en="Town-level venue serving a whole town; not set by GB 50180-2018, "
        "about 5 km (15 minutes by bicycle or bus), adjustable",
        colour="#9467bd",
        icon="university",
    ),
)


class Settings(BaseSettings):
    """Runtime settings, read from the environment (prefix ``SITES_``)."""

    model_config = SettingsConfigDict(env_prefix="SITES_", env_file=".env", extra="ignore")

    db: Path | str = Field(
        default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)) / "sites.db",
        description="SQLite database file, or a PostgreSQL URL postgresql://USER@HOST/DB (env SITES_DB)",
    )
    tiles: str = Field(default="none", description="default base map (env SITES_TILES)")
    language: Language = Field(default="zh", description="default language, zh or en (env SITES_LANGUAGE)")
    #: A missing message key raises instead of showing as ``⟦key⟧`` (see :mod:`i18n`).
    strict_i18n: bool = Field(default=False, description="env SITES_STRICT_I18N")
    types_file: Path | None = Field(default=None, description="TOML file with extra site types")
    boundaries: Path | None = Field(default=None, description="region boundary file")
    boundaries_crs: str | None = Field(default=None, description="wgs84, gcj02 or bd09")
    boundaries_name_field: str | None = None
    boundaries_code_field: str | None = None
    #: Smallest gap polygon worth showing, km² (slivers under it are dropped).
    min_gap_km2: float = 0.01
    #: Tianditu (天地图) API key for the ``tianditu`` base map; from the environment only.
    tianditu_key: str | None = Field(default=None, repr=False, description="env SITES_TIANDITU_KEY")
    #: ``local``: one user on their own machine, no sign-in, the local user may do everything.
    #: ``shared``: one instance for a federation; every page and every write needs a signed-in account.
    mode: Literal["local", "shared"] = Field(default="local", description="env SITES_MODE")
    #: A signed-in session ends this many hours after sign-in.
    session_hours: float = Field(default=8.0, gt=0, description="env SITES_SESSION_HOURS")
    #: This many wrong passwords in a row lock an account for ``lockout_minutes``.
    lockout_attempts: int = Field(default=5, ge=1, description="env SITES_LOCKOUT_ATTEMPTS")
    lockout_minutes: float = Field(default=15.0, gt=0, description="env SITES_LOCKOUT_MINUTES")
    #: Largest accepted upload, MB (1 MB = 1,000,000 bytes).
    upload_max_mb: float = Field(default=20.0, gt=0, description="env SITES_UPLOAD_MAX_MB")
    #: Largest total unpacked size of an uploaded zip (zipped Shapefile, XLSX), MB.
    upload_max_unzipped_mb: float = Field(default=200.0, gt=0, description="env SITES_UPLOAD_MAX_UNZIPPED_MB")
    #: Where unexpected errors are logged with their traceback (default: incidents.log in the user's log
    #: directory, see :mod:`incidents`).
    incident_log: Path | None = Field(default=None, description="env SITES_INCIDENT_LOG")
    #: The time zone the pages show times in (an IANA name); stored times stay UTC.
    timezone: str = Field(default="Asia/Shanghai", description="env SITES_TIMEZONE")

    @field_validator("tiles")
    @classmethod
    def _known_tiles(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in TILE_PROVIDERS:
            raise ValueError(f"SITES_TILES={value!r}: expected one of {', '.join(TILE_PROVIDERS)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        value = value.strip()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"SITES_TIMEZONE={value!r}: not a time zone name such as Asia/Shanghai") from exc
        return value

    @field_validator("language", mode="before")
    @classmethod
    def _lower_language(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("db", mode="before")
    @classmethod
    def _expand_db(cls, value: object) -> Path | str:
        text = str(value).strip()
        if re.match(r"^postgres(ql)?://", text, re.IGNORECASE):  # a server's libpq URL stays text ("//" kept)
            return text
        return Path(os.path.expanduser(text))

    def default_radius_m(self, type_key: str) -> float:
        """Default catchment radius in metres of a site type.

        ``SITES_RADIUS_<TYPE>_M`` in the environment overrides the built-in value.
        """
        env = os.environ.get(f"SITES_RADIUS_{type_key.upper()}_M")
        if env:
            try:
                radius = float(env)
            except ValueError as exc:
                raise ValueError(
                    f"SITES_RADIUS_{type_key.upper()}_M={env!r} is not a number of metres"
                ) from exc
            if radius <= 0:
                raise ValueError(f"SITES_RADIUS_{type_key.upper()}_M={env!r} must be > 0")
            return radius
        return site_type(type_key, self).default_radius_m

    def default_radii_m(self) -> dict[str, float]:
        """Default radius in metres for every site type, keyed by type."""
        return {t.key: self.default_radius_m(t.key) for t in load_site_types(self)}


def get_settings() -> Settings:
    """Settings as the environment says now (cheap; read again on each call)."""
    return Settings()


def load_site_types(settings: Settings | None = None) -> tuple[SiteType, ...]:
    """The built-in site types plus those of ``SITES_TYPES_FILE``.

    The TOML file holds ``[[type]]`` tables with the fields of :class:`SiteType`
    (``key``, ``name_zh``, ``name_en``, ``default_radius_m``, ``radius_basis_zh``,
    ``radius_basis_en``; ``colour`` and ``icon`` optional).
    """
    settings = settings or get_settings()
    if settings.types_file is None:
        return DEFAULT_SITE_TYPES
    return DEFAULT_SITE_TYPES + _extra_types(settings.types_file)


@lru_cache(maxsize=8)
def _extra_types(path: Path) -> tuple[SiteType, ...]:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    known = {t.key for t in DEFAULT_SITE_TYPES}
    extra: list[SiteType] = []
    for i, raw in enumerate(data.get("type", []), start=1):
        try:
            item = SiteType(
                key=str(raw["key"]),
                name_zh=str(raw["name_zh"]),
                name_en=str(raw["name_en"]),
                default_radius_m=float(raw["default_radius_m"]),
                radius_basis_zh=str(raw["radius_basis_zh"]),
                radius_basis_en=str(raw["radius_basis_en"]),
                colour=str(raw.get("colour", "#7f7f7f")),
                icon=str(raw.get("icon", "info-sign")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: [[type]] #{i}: missing or bad field {exc}") from exc
        if item.key in known:
            raise ValueError(f"{path}: [[type]] #{i}: key {item.key!r} is already defined")
        known.add(item.key)
        extra.append(item)
    return tuple(extra)


def site_type(key: str, settings: Settings | None = None) -> SiteType:
    """The :class:`SiteType` for ``key``; ``KeyError`` if there is none."""
    for item in load_site_types(settings):
        if item.key == key:
            return item
    raise KeyError(key)


def site_type_keys(settings: Settings | None = None) -> tuple[str, ...]:
    return tuple(t.key for t in load_site_types(settings))
