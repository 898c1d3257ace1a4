"""Street networks (``geodata/network.py``): reading OSM extracts and lines files."""

MESSAGES: dict[str, tuple[str, str]] = {
    "network.format": (
        "不支持的路网文件格式“{suffix}”，请用 OpenStreetMap 的 .osm.pbf，或线要素文件 GeoJSON（.geojson/.json）、"
        "GeoPackage（.gpkg）、Shapefile（.shp）或压缩的 Shapefile（.zip）",
        "unsupported street network file type '{suffix}': use an OpenStreetMap .osm.pbf extract, or a lines "
        "file: GeoJSON (.geojson/.json), GeoPackage (.gpkg), Shapefile (.shp) or a zipped Shapefile (.zip)",
    ),
    "network.unreadable": (
        "无法读取路网文件：{reason}",
        "the street network file cannot be read: {reason}",
    ),
    "network.not_lines": (
        "路网文件应只包含线（LineString/MultiLineString），但包含：{types}",
        "a street network file must hold lines (LineString/MultiLineString) only; it holds: {types}",
    ),
    "network.empty": (
        "文件里没有可用于“{mode}”方式的道路（检查 highway、foot、access 等字段，或裁剪范围）",
        "the file holds no streets usable for '{mode}' (check the highway, foot and access fields, or the "
        "region it was clipped to)",
    ),
    "network.mode": (
        "未知的出行方式“{value}”，应为：{allowed}",
        "unknown travel mode '{value}': expected one of {allowed}",
    ),
    "network.crs_conflict": (
        "文件自带投影坐标系 {file_crs}，转换后就是 WGS84；不能再按 {crs} 处理。请用 --crs wgs84",
        "the file has its own projected CRS {file_crs}, which converts to WGS84; it cannot also be {crs}. "
        "Use --crs wgs84",
    ),
    "network.not_lonlat": (
        "坐标范围 {bounds} 不是经纬度（按 {crs} 读取）；如果文件是米制坐标，请在 .prj 中给出坐标系",
        "the coordinates {bounds} are not longitudes/latitudes (read as {crs}); a file in metres needs its "
        "CRS in a .prj",
    ),
    "network.osmium_missing": (
        "读取 .osm.pbf 需要 osmium（pyosmium）：pip install osmium",
        "reading an .osm.pbf needs osmium (pyosmium): pip install osmium",
    ),
    "network.not_prepared": (
        "不是已准备好的路网文件（.npz）：{reason}",
        "not a prepared street network (.npz): {reason}",
    ),
    "network.licence_missing": (
        "请用 --licence 说明路网数据“{file}”的许可",
        "say the licence of the street data '{file}' (--licence, e.g. '© OpenStreetMap contributors, ODbL')",
    ),
    "network.cli.licence_prompt": ("路网数据的许可", "licence of the street data"),
    "network.cli.reading": ("正在读取并裁剪路网：{file}", "reading and clipping the street network: {file}"),
    "network.cli.stored": (
        "路网（{mode}）：{file}（{crs}），许可：{licence}，{at} 由 {by} 载入",
        "street network ({mode}): {file} ({crs}), licence: {licence}, loaded {at} by {by}",
    ),
    "network.cli.summary": (
        "路口 {junctions} 个，路段 {segments} 条，总长 {km:.1f} 公里，互不连通的片区 {pieces} 个"
        "（最大片区占总长 {share:.0%}）",
        "{junctions} junctions, {segments} segments, {km:.1f} km, {pieces} disconnected pieces "
        "(the largest holds {share:.0%} of the length)",
    ),
    "network.cli.none": ("数据库里没有（{mode}）路网", "no street network ({mode}) is stored"),
    "network.cli.cycle_unscored": (
        "注意：覆盖、空白和选址只按步行计算，用步行路网；骑行路网已保存，但暂不参与任何计算",
        "note: coverage, gaps and suggestions are scored on foot only (--distance network walks the walking "
        "network); this cycling network is stored but nothing is scored on it",
    ),
    "network.cli.deleted": ("已删除（{mode}）路网", "street network ({mode}) deleted"),
    "network.crs_needed": (
        "请用 --network-crs 说明路网文件“{file}”的坐标系（wgs84、gcj02 或 bd09）",
        "say the coordinate system of the street network file '{file}' with --network-crs (wgs84, gcj02 or bd09)",
    ),
    "network.cli.off_network": (
        "{sites} 个站点、{points} 个需求点离最近的道路超过 {m:.0f} 米，未接入路网（不覆盖也不被覆盖）",
        "{sites} sites and {points} demand points lie more than {m:.0f} m from every street: they join no "
        "street (reach nothing, reached by nothing)",
    ),
    # the map's caption and legend in walking mode (maps/export.py)
    "mapx.caption.walk_item": (
        "{type} 步行 {radius} 米 / {minutes:.0f} 分钟（{speed:g} 公里/小时）",
        "{type} {radius} m / {minutes:.0f} min walk ({speed:g} km/h)",
    ),
    "mapx.catchment_walk": ("步行服务范围（可达街道两侧 50 米）", "Within walking reach (50 m either side of reached streets)"),
    # the data page's network section (app_pages/data_network.py)
    "ui.data.network": ("路网（步行距离）", "Street network (walking distance)"),
    "ui.data.network_none": (
        "还没有路网：覆盖按直线距离计算。载入 OpenStreetMap 路网后可按步行距离计算。",
        "No street network yet: coverage is straight-line. Load an OpenStreetMap network to measure walking distance.",
    ),
    "ui.data.network_walk_only": (
        "覆盖、空白和选址只按步行计算，用这里的步行路网。命令行另存的骑行路网暂不参与任何计算。",
        "Coverage, gaps and suggestions are scored on foot only, on the walking network here. The command line "
        "can also store a cycling network (--mode cycle), but nothing is scored on it.",
    ),
    "ui.data.network_upload": (
        "载入路网文件（.osm.pbf，或 GeoJSON/GeoPackage/压缩的 Shapefile 线要素）",
        "Load a street network (.osm.pbf, or lines as GeoJSON/GeoPackage/zipped Shapefile)",
    ),
    "ui.data.network_help": (
        "上传 OpenStreetMap 的广东省路网文件（.osm.pbf），最好先裁剪到本区域；载入时也会按本区域裁剪",
        "Upload an OpenStreetMap extract (e.g. guangdong-latest.osm.pbf), best clipped to the region; it is "
        "clipped to the region on loading too",
    ),
    "ui.data.network_role": ("只有管理员可以载入路网", "Only an admin may load a street network"),
    "ui.data.network_kind": (
        "文件“{file}”不是可用的路网文件（.osm.pbf、.geojson、.json、.gpkg、.zip，不超过 1 GB）",
        "'{file}' is not a usable street network file (.osm.pbf, .geojson, .json, .gpkg, .zip; at most 1 GB)",
    ),
    "ui.data.network_crs": ("坐标系", "Coordinate system"),
    "ui.data.network_licence": ("许可", "Licence"),
    "ui.data.network_load": ("载入并保存路网", "Load and store the network"),
    "ui.data.network_loading": ("正在读取、裁剪并准备路网…", "Reading, clipping and preparing the network…"),
    "ui.data.network_refused": ("路网未载入：", "The network was not loaded:"),
    "ui.data.network_stored": ("已保存路网 {file}", "Street network {file} stored"),
    "ui.data.network_what": ("项目", "Item"),
    "ui.data.network_value": ("值", "Value"),
    "ui.data.network_source": ("来源文件", "Source file"),
    "ui.data.network_loaded": ("载入时间 · 载入人", "Loaded · by"),
    "ui.data.network_junctions": ("路口", "Junctions"),
    "ui.data.network_segments": ("路段", "Segments"),
    "ui.data.network_length": ("总长（公里）", "Length (km)"),
    "ui.data.network_pieces": ("互不连通的片区（最大片区占比）", "Disconnected pieces (largest share)"),
}
