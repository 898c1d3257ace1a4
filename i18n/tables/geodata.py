"""Town boundaries, coordinate systems and ``geodata convert``."""

MESSAGES: dict[str, tuple[str, str]] = {
    # ======================== boundary files
    "boundary.format": (
        "不支持的边界文件格式“{suffix}”，请用 GeoJSON（.geojson/.json）、GeoPackage（.gpkg）、"
        "Shapefile（.shp）或压缩的 Shapefile（.zip）",
        "unsupported boundary file type '{suffix}': use GeoJSON (.geojson/.json), "
        "GeoPackage (.gpkg), Shapefile (.shp) or a zipped Shapefile (.zip)",
    ),
    "boundary.zip_no_shp": (
        "压缩包里没有 .shp 文件（包含：{names}）",
        "the zip file holds no .shp file (it holds: {names})",
    ),
    "boundary.zip_many_shp": (
        "压缩包里有多个 .shp 文件（{names}），请只放一个",
        "the zip file holds several .shp files ({names}); put just one in it",
    ),
    "boundary.zip_missing_part": (
        "压缩包里缺少 {missing}：Shapefile 需要 .shp、.dbf 和 .shx 三个文件放在一起",
        "the zip file lacks {missing}: a Shapefile needs its .shp, .dbf and .shx files together",
    ),
    "boundary.unreadable": ("无法读取边界文件：{reason}", "cannot read the boundary file: {reason}"),
    "boundary.gpkg_layers": (
        "GeoPackage 有多个图层（{layers}），只读取了第一个“{layer}”",
        "the GeoPackage has several layers ({layers}); only the first, '{layer}', was read",
    ),
    "boundary.encoding_guessed": (
        "Shapefile 没有 .cpg 文件说明文字编码，且不是 UTF-8，已按 GBK 读取；请核对名称是否正确",
        "the Shapefile has no .cpg saying its text encoding and is not UTF-8, so it was read as GBK; "
        "check that the names look right",
    ),
    "boundary.empty": ("边界文件里没有任何要素", "the boundary file holds no features"),
    "boundary.empty_file": ("文件是空的（没有任何内容）", "the file is empty (it holds nothing)"),
    "boundary.coords_not_finite": (
        "第 {feature} 个要素（{town}）的坐标含有非数值（NaN 或无穷大），请修正或删除这些点",
        "feature {feature} ({town}) has coordinates that are not numbers (NaN or infinite); fix or remove "
        "those points",
    ),
    "boundary.not_polygons": (
        "边界必须是面（Polygon/MultiPolygon），但文件里有：{types}",
        "boundaries must be polygons (Polygon/MultiPolygon), but the file holds: {types}",
    ),
    "boundary.no_geometry": (
        "第 {feature} 个要素（{town}）没有几何图形",
        "feature {feature} ({town}) has no geometry",
    ),
    "boundary.no_crs": (
        "边界文件没有坐标系（缺少 .prj 或 crs），请说明它是 wgs84、gcj02（高德）还是 bd09（百度）"
        "（--crs 或 crs=...）",
        "the boundary file has no coordinate system (no .prj or crs); say whether it is wgs84, "
        "gcj02 (Amap) or bd09 (Baidu) (--crs or crs=...)",
    ),
    "boundary.not_lonlat": (
        "坐标范围 {bounds} 不是经纬度（度），不可能是 {crs}；文件可能是投影坐标系但缺少 .prj",
        "coordinate range {bounds} is not longitude/latitude in degrees, so it cannot be {crs}; "
        "the file may be in a projected CRS with its .prj missing",
    ),
    "boundary.crs_conflict": (
        "文件的坐标系是投影坐标系 {file_crs}，不可能是 {crs}；请去掉 --crs",
        "the file is in the projected CRS {file_crs}, so it cannot be {crs}; drop --crs",
    ),
    "boundary.field_missing": (
        "没有字段“{field}”；可用字段：{fields}",
        "there is no field '{field}'; available fields: {fields}",
    ),
    "boundary.field_none.name": (
        "找不到名称字段（试过 {tried}）；可用字段：{fields}。请用 --name-field 指定",
        "no name field found (tried {tried}); available fields: {fields}. Name it with --name-field",
    ),
    "boundary.field_none.code": (
        "找不到代码字段（试过 {tried}）；可用字段：{fields}。请用 --code-field 指定",
        "no code field found (tried {tried}); available fields: {fields}. Name it with --code-field",
    ),
    "boundary.field_many.name": (
        "有多个可能的名称字段：{candidates}（可用字段：{fields}）。请用 --name-field 指定",
        "several fields could be the name: {candidates} (available fields: {fields}). "
        "Name one with --name-field",
    ),
    "boundary.field_many.code": (
        "有多个可能的代码字段：{candidates}（可用字段：{fields}）。请用 --code-field 指定",
        "several fields could be the code: {candidates} (available fields: {fields}). "
        "Name one with --code-field",
    ),
    "boundary.code_empty": (
        "第 {feature} 个要素（{town}）的代码为空",
        "feature {feature} ({town}) has an empty code",
    ),
    "boundary.code_duplicate": (
        "代码 {code} 重复：第 {features} 个要素（{towns}）",
        "code {code} is used more than once: features {features} ({towns})",
    ),
    "boundary.text_control": (
        "第 {feature} 个要素含控制字符 {char}（第 {pos} 个字符），不能作为名称或代码；请在原文件中删除后重新载入",
        "feature {feature} holds the control character {char} (character {pos}), which a name or code cannot "
        "hold; remove it from the file and load it again",
    ),
    "boundary.name_empty": (
        "第 {feature} 个要素（代码 {code}）没有名称，用代码代替",
        "feature {feature} (code {code}) has no name; its code is used instead",
    ),
    "boundary.repaired": (
        "“{town}”（代码 {code}）的边界无效（{reason}），已修复，面积 {before_km2} → {after_km2} km²",
        "the outline of '{town}' (code {code}) was invalid ({reason}) and was repaired; "
        "area {before_km2} → {after_km2} km²",
    ),
    "boundary.unrepairable": (
        "“{town}”（代码 {code}）的边界无效（{reason}），修复后没有剩下任何面",
        "the outline of '{town}' (code {code}) is invalid ({reason}) and no polygon is left after repair",
    ),
    "boundary.overlap": (
        "“{town_a}”（{code_a}）与“{town_b}”（{code_b}）重叠 {overlap_km2} km²（允许 {tolerance_km2} km²）",
        "'{town_a}' ({code_a}) and '{town_b}' ({code_b}) overlap by {overlap_km2} km² "
        "(tolerance {tolerance_km2} km²)",
    ),

    # ======================== coordinate systems
    "crs.unknown": (
        "无法识别的坐标系“{value}”，应为 wgs84、gcj02（高德/腾讯）或 bd09（百度）",
        "unknown coordinate system '{value}': expected wgs84, gcj02 (Amap/Tencent) or bd09 (Baidu)",
    ),
    "crs.missing": (
        "数据没有坐标系（CRS）。请用 --crs 或 set_crs() 说明它是 wgs84、gcj02 还是 bd09",
        "the data has no coordinate system (CRS); say whether it is wgs84, gcj02 or bd09 "
        "(--crs, or set_crs())",
    ),
    "crs.geographic": (
        "{crs} 是经纬度坐标系，单位是度而不是米；请先用 geodata.crs.to_metric() 投影到米制坐标系（如 UTM）",
        "{crs} is a geographic CRS measured in degrees, not metres; project the data "
        "first with geodata.crs.to_metric() (a UTM zone)",
    ),
    "crs.not_wgs84": (
        "数据的坐标系是 {crs}，不是 WGS84/GCJ-02/BD-09 经纬度；先转换到 EPSG:4326",
        "the data is in {crs}, not WGS84/GCJ-02/BD-09 longitude/latitude; convert it to "
        "EPSG:4326 first",
    ),
    "crs.empty_extent": (
        "没有可用的坐标，无法选择米制坐标系",
        "no usable coordinates to choose a metric CRS from",
    ),

    # ======================== geodata convert
    "convert.format": (
        "不支持的文件类型“{suffix}”，请用 .geojson、.json、.gpkg 或 .csv",
        "unsupported file type '{suffix}': use .geojson, .json, .gpkg or .csv",
    ),
    "convert.format_mismatch": (
        "不能把 {src_format} 转成 {dst_format}：CSV 只能转成 CSV，矢量文件只能转成 GeoJSON 或 GeoPackage",
        "cannot convert {src_format} to {dst_format}: CSV converts to CSV, vector files to GeoJSON or "
        "GeoPackage",
    ),
    "convert.unreadable": ("无法读取文件：{reason}", "cannot read the file: {reason}"),
    "convert.many_layers": (
        "GeoPackage 有 {count} 个图层（{layers}），GeoJSON 只能放一个；请输出为 .gpkg",
        "the GeoPackage has {count} layers ({layers}) and GeoJSON holds one; write a .gpkg instead",
    ),
    "convert.not_lonlat": (
        "坐标范围 {bounds} 不是经纬度（度），不可能是 {crs}",
        "coordinate range {bounds} is not longitude/latitude in degrees, so it cannot be {crs}",
    ),
    "convert.encoding": (
        "无法识别文件编码（试过 UTF-8、UTF-8 BOM、GBK）",
        "cannot tell the file's encoding (tried UTF-8, UTF-8 with BOM, GBK)",
    ),
    "convert.empty_csv": ("CSV 文件是空的，没有表头", "the CSV file is empty: no header line"),
    "convert.no_columns": (
        "找不到经纬度列（lng/lat、lon/lat、longitude/latitude 或 经度/纬度）；表头是：{header}",
        "no longitude/latitude columns found (lng/lat, lon/lat, longitude/latitude or 经度/纬度); "
        "the header is: {header}",
    ),
    "convert.many_columns": (
        "有多组经纬度列：{pairs}；每个文件只能转换一组",
        "several longitude/latitude column pairs: {pairs}; a file converts one pair",
    ),
    "convert.suffix_mismatch": (
        "列名“{column}”说坐标是 {named}，但 --from 是 {src}",
        "column '{column}' says the coordinates are {named} but --from is {src}",
    ),
    "table.bad_coordinate": (
        "坐标（{lng}, {lat}）不是有效的经纬度",
        "coordinate ({lng}, {lat}) is not a valid longitude/latitude",
    ),
    "convert.cell_empty": ("坐标为空", "the coordinate is empty"),
    "convert.cell_not_number": ("“{value}”不是数字", "'{value}' is not a number"),
    "convert.cell_range": (
        "{value} 超出范围（经度 −180…180，纬度 −90…90）",
        "{value} is out of range (longitude −180…180, latitude −90…90)",
    ),
    "convert.summary.csv": (
        "已把 {rows} 行的“{lng}”/“{lat}”从 {src} 转换为 {dst}（编码 {encoding}），写入 {output}",
        "converted '{lng}'/'{lat}' of {rows} rows from {src} to {dst} (encoding {encoding}) into {output}",
    ),
    "convert.summary.vector": (
        "已把 {features} 个要素（图层：{layers}）从 {src} 转换为 {dst}，写入 {output}",
        "converted {features} features (layers: {layers}) from {src} to {dst} into {output}",
    ),
    "convert.summary.unshifted": (
        "；其中 {count} 行在中国范围外，坐标未偏移，请核对",
        "; {count} rows lie outside China and were not shifted; check them",
    ),

}
