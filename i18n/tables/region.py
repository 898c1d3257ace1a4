"""The region stored in the database (``sites/region_store.py``, ``sites/region.py``) and its labels."""

MESSAGES: dict[str, tuple[str, str]] = {
    "region.name_control": (
        "地区名称含控制字符 {char}（第 {pos} 个字符），不能保存；请删除后再试",
        "the region's name holds the control character {char} (character {pos}) and cannot be stored; remove it",
    ),
    "region.name_en_control": (
        "地区英文名称含控制字符 {char}（第 {pos} 个字符），不能保存；请删除后再试",
        "the region's English name holds the control character {char} (character {pos}) and cannot be stored; "
        "remove it",
    ),
    "region.licence_control": (
        "许可说明含控制字符 {char}（第 {pos} 个字符），不能保存；请删除后再试",
        "the licence holds the control character {char} (character {pos}) and cannot be stored; remove it",
    ),
    "region.level.town": ("镇街", "Town"),
    "region.level.county": ("区县", "County"),
    "region.units.town": ("镇街", "Towns"),
    "region.units.county": ("区县", "Counties"),
    "region.report.units_met": ("达标{level}", "{level} units met"),
    "region.report.towns_heading": ("分{level}完成情况", "{level} by {level}"),
    "region.report.rule": (
        "绿：已达标。黄：未达标，但截止日期未过，且按近12个月的建设速度可在截止日期前补齐差距，"
        "或该{level}在建的同类站点足以补齐差距。红：其余情况（已过截止日期仍未达标，或按目前速度无法按期完成）。",
        "Green: met. Amber: not met, the deadline has not passed, and at the rate of the last 12 "
        "months the shortfall closes by the deadline, or sites of the type under construction in "
        "the {level} unit would close it. Red: otherwise (deadline passed and not met, or not on track).",
    ),
    "region.report.footer": ("数据来源：职工服务阵地登记库；{level}边界 {attribution}",
                             "Source: the site registry; {level} boundaries {attribution}"),
    "region.crs_required": (
        "边界文件的坐标系不能猜：请说明它是 wgs84（GPS、OpenStreetMap、天地图）、gcj02（高德、腾讯）"
        "还是 bd09（百度）（命令行 --boundaries-crs wgs84|gcj02|bd09，或在页面上选择）；投影坐标系文件"
        "（UTM、CGCS2000 高斯-克吕格）请选 wgs84",
        "the boundary file's coordinate system is never guessed: say whether it is wgs84 (GPS, OpenStreetMap, "
        "Tianditu), gcj02 (Amap, Tencent) or bd09 (Baidu) (command line: --boundaries-crs wgs84|gcj02|bd09, or "
        "choose it on the page); for a projected file (UTM, CGCS2000 Gauss-Kruger) choose wgs84",
    ),
    "region.names_are_codes": (
        "边界文件只有代码、没有名称字段，名称暂用代码；可用 --names 提供代码→名称对照表（CSV：代码,名称）",
        "the boundary file has codes but no name field: the codes are used as names; give a code → name "
        "table with --names (CSV: code,name)",
    ),
    "region.names_missing_in_table": (
        "名称对照表里没有这些代码，名称暂用代码：{codes}",
        "these codes are not in the names table; their codes are used as names: {codes}",
    ),
    "region.names_table_bad": (
        "名称对照表应为 CSV，含“代码”列和“名称”列",
        "the names table must be a CSV with a code column (code/代码/adcode) and a name column (name/名称)",
    ),
    "region.not_stored": (
        "数据库 {db} 里没有区域边界；请运行 python -m sites set-region",
        "the database {db} holds no region; run python -m sites set-region",
    ),
    "region.cli.loaded": (
        "区域：{name}（{count} 个{level}，坐标系 {crs}，来源 {source}，{at} 载入）",
        "region: {name} ({count} {level} units, CRS {crs}, source {source}, loaded {at})",
    ),
    "ui.region.units_met": ("达标{level}（各目标合计）", "{level} units meeting targets (all targets)"),
    "ui.region.by_unit": ("分{level}完成情况（红/黄/绿）", "{level} by {level} (red/amber/green)"),
    "ui.region.preview": ("预览：{n} 个{level}，共 {area:,.1f} km²", "Preview: {n} units ({level}), {area:,.1f} km² in all"),
    "ui.data.region_stored": (
        "当前区域：{name}，{n} 个{level}（来源 {source}，坐标系 {crs}，许可 {licence}，{at} 载入；已存入数据库）",
        "Current region: {name}, {n} units ({level}) (source {source}, CRS {crs}, licence {licence}, loaded {at}; "
        "kept in the database)",
    ),
    "ui.data.region_crs_first": (
        "请先选择边界文件的坐标系：坐标系不能猜（高德导出的是 GCJ-02，百度的是 BD-09）",
        "Choose the boundary file's coordinate system first: it is never guessed (Amap exports GCJ-02, Baidu BD-09)",
    ),
    "ui.data.region_name": ("区域名称（用于标题，如 江门市）", "Region name (for titles, e.g. 江门市)"),
    "ui.data.region_licence": ("边界数据的许可（如 OpenStreetMap 的开放数据库许可）", "Licence of the outlines (e.g. ODbL)"),
}
