"""The region's street network, stored in the registry database beside the sites.

A prepared network (:class:`geodata.network.StreetNetwork`, clipped to the
region when it was loaded) is kept as its ``.npz`` bytes in one row per travel
mode (``walk``, ``cycle``) of the table ``street_network``, with where it came
from (the file's name, the coordinate system the user gave), its licence, who
loaded it and when (UTC), and the summary of what was kept (junctions,
segments, length, disconnected pieces) as JSON. The table is the database
component ``"network"`` (:data:`NETWORK_MIGRATIONS`; portable SQL: text,
integer and one binary column, no SQLite-only syntax).

Loading or deleting a network is an admin's step (the database's one
authoriser, :meth:`accounts.permissions.Authoriser.check_admin`; refusals are
logged); reading it is open to everyone who may read the registry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from accounts.permissions import Actor
from database.connection import utc_now
from database.migrations import Migration
from errors import Problem, RecordError
from geodata.network import MODES, NetworkSummary, StreetNetwork, read_network
from sites.sheets import unstorable
from sites.uploads import display_name

COMPONENT = "network"
#: The licence recorded for an OpenStreetMap extract (``.osm.pbf``) when none is given.
OSM_LICENCE = "© OpenStreetMap contributors, ODbL"

NETWORK_MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the region's street network, one per travel mode", (
        """CREATE TABLE street_network (
            mode VARCHAR(16) PRIMARY KEY,
            source_name TEXT NOT NULL,
            source_crs VARCHAR(16) NOT NULL,
            licence TEXT NOT NULL,
            loaded_by TEXT NOT NULL,
            loaded_at VARCHAR(32) NOT NULL,
            summary TEXT NOT NULL,
            data BLOB NOT NULL
        )""",
    )),
)


@dataclass(frozen=True)
class NetworkInfo:
    """What is stored about a network: ``mode``, ``source_name`` (the file's name, no folder),
    ``source_crs``, ``licence``, ``loaded_by``, ``loaded_at`` (UTC text) and the ``summary``."""

    mode: str
    source_name: str
    source_crs: str
    licence: str
    loaded_by: str
    loaded_at: str
    summary: NetworkSummary

    def as_dict(self) -> dict[str, object]:
        return {"mode": self.mode, "source": self.source_name, "source_crs": self.source_crs,
                "licence": self.licence, "loaded_by": self.loaded_by, "loaded_at": self.loaded_at,
                **self.summary.as_dict()}


def default_licence(path: str | Path) -> str | None:
    """The licence of a file whose kind says it: an ``.osm.pbf`` is OpenStreetMap data (ODbL); else ``None``."""
    return OSM_LICENCE if str(path).lower().endswith(".pbf") else None


def region_outline(region):
    """The region's towns dissolved into one WGS84 outline (what a network is clipped to)."""
    import shapely

    return shapely.union_all(region.towns.geometry.to_crs("EPSG:4326").values)


class NetworkStore:
    """The street networks of one registry database (created on first use), beside ``sites`` (a
    :class:`sites.store.SiteStore`: its database, authoriser and region)."""

    def __init__(self, sites):
        self.sites = sites
        self.database = sites.database
        self.authoriser = sites.authoriser
        self.database.migrate(COMPONENT, NETWORK_MIGRATIONS)

    def read_file(self, path: str | Path, *, crs: str, mode: str = "walk") -> StreetNetwork:
        """Read and prepare ``path`` (``.osm.pbf`` or a lines file in ``crs``), clipped to the region."""
        return read_network(path, crs=crs, mode=mode, region=region_outline(self.sites.region()))

    def store(self, network: StreetNetwork, *, actor: Actor, source_name: str, licence: str) -> NetworkInfo:
        """Keep ``network`` as the region's network of its mode (replacing one stored before). Admins only."""
        who = self.authoriser.check_admin(actor, "set_network", f"network:{network.mode}").username
        licence = (licence or "").strip()
        if not licence:
            raise RecordError(Problem("network.licence_missing", {"file": source_name}))
        if bad := unstorable(licence, field="licence"):  # the rule of every stored text
            raise RecordError(bad)
        summary = network.summary()
        info = NetworkInfo(network.mode, display_name(source_name), network.source_crs, licence, who, utc_now(),
                           summary)
        data = network.to_bytes()
        with self.database.write_transaction() as conn:
            conn.execute("DELETE FROM street_network WHERE mode = ?", (network.mode,))
            conn.execute("INSERT INTO street_network (mode, source_name, source_crs, licence, loaded_by, loaded_at, "
                         "summary, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (info.mode, info.source_name, info.source_crs, info.licence, info.loaded_by,
                          info.loaded_at, json.dumps(summary.as_dict()), data))
        return info

    def info(self, mode: str = "walk") -> NetworkInfo | None:
        """What is stored for ``mode``, or ``None``."""
        _check_mode(mode)
        with self.database.read_transaction() as conn:
            row = conn.execute("SELECT mode, source_name, source_crs, licence, loaded_by, loaded_at, summary "
                               "FROM street_network WHERE mode = ?", (mode,)).fetchone()
        if row is None:
            return None
        return NetworkInfo(row[0], row[1], row[2], row[3], row[4], row[5], NetworkSummary(**json.loads(row[6])))

    def load(self, mode: str = "walk") -> StreetNetwork | None:
        """The stored network of ``mode``, or ``None``."""
        _check_mode(mode)
        with self.database.read_transaction() as conn:
            row = conn.execute("SELECT source_name, data FROM street_network WHERE mode = ?", (mode,)).fetchone()
        if row is None:
            return None
        return StreetNetwork.from_bytes(bytes(row[1]), row[0])

    def delete(self, mode: str = "walk", *, actor: Actor) -> bool:
        """Remove the stored network of ``mode``; ``False`` if there was none. Admins only."""
        _check_mode(mode)
        self.authoriser.check_admin(actor, "delete_network", f"network:{mode}")
        with self.database.write_transaction() as conn:
            gone = conn.execute("DELETE FROM street_network WHERE mode = ?", (mode,)).rowcount
        return bool(gone)


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise RecordError(Problem("network.mode", {"value": mode, "allowed": ", ".join(MODES)}))
