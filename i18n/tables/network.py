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
}
