"""Map rendering: markers, popups, legend, layer names and the standalone HTML export."""

MESSAGES: dict[str, tuple[str, str]] = {
    # ======================== town map (maps.webmap)
    "map.field.name": ("名称", "Name"),
    "map.field.code": ("代码", "Code"),
    "map.field.area": ("面积（km²）", "Area (km²)"),
    "map.tiles_unknown": (
        "未知底图“{value}”，应为 {choices} 之一",
        "unknown base map '{value}': expected one of {choices}",
    ),
    "map.tianditu_key": (
        "天地图底图需要密钥：请设置环境变量 SITES_TIANDITU_KEY",
        "the Tianditu base map needs a key: set the environment variable SITES_TIANDITU_KEY",
    ),

    # ======================== planner's map and its export (maps.export)
    "mapx.title": ("职工服务阵地地图", "Worker service sites map"),
    "mapx.legend": ("图例", "Legend"),
    "mapx.legend.types": ("站点类型", "Site types"),
    "mapx.legend.status": ("状态", "Status"),
    "mapx.legend.areas": ("范围", "Areas"),
    "mapx.legend.share": ("{type}覆盖率（{units}）", "{type}: covered share ({units})"),
    "mapx.legend.by_rank": ("，按排位分级，红色最差", "; classes by rank, red is worst"),
    "mapx.legend.class_count": ("（{n} 个{units}）", " ({units}: {n})"),
    "mapx.legend.class_towns": ("{units}", "{units}"),
    "mapx.demo_mark": ("（演示）", " (demo)"),
    "mapx.status.open": ("开放（实心）", "Open (solid)"),
    "mapx.status.planned": ("规划中（空心虚线）", "Planned (hollow, dashed)"),
    "mapx.status.building": ("在建（空心点线）", "Under construction (hollow, dotted)"),
    "mapx.status.inactive": ("暂停或关闭（灰色）", "Suspended or closed (grey)"),
    "mapx.suggested": ("建议新址", "Suggested site"),
    "mapx.suggested_added": ("（已加入登记）", " (added to the registry)"),
    "mapx.catchment": ("服务范围", "Within reach"),
    "mapx.gap": ("服务空白", "Gap (out of reach)"),
    "mapx.layer.sites": ("{type}（{n} 个）", "{type} ({n})"),
    "mapx.layer.catchment": ("{type}：服务范围 {radius} 米", "{type}: within {radius} m"),
    "mapx.layer.walk_streets": (
        "{type}：步行 {radius} 米可达的街道（{minutes:.0f} 分钟，按 {speed:g} 公里/小时）",
        "{type}: streets within a {radius} m walk ({minutes:.0f} min at {speed:g} km/h)",
    ),
    "mapx.layer.walk_circles": ("{type}：直线 {radius} 米圆（对比）", "{type}: straight {radius} m circles (to compare)"),
    "mapx.walk.field": ("步行可达", "Walkable"),
    "mapx.walk.streets_tip": ("可达街道 {km:.1f} 公里", "{km:.1f} km of streets within reach"),
    "mapx.layer.gaps": ("{type}：服务空白", "{type}: gaps"),
    "mapx.layer.suggested": ("建议新址：{type}", "Suggested: {type}"),
    "mapx.caption.region": ("{region}（{n} 个{units}）", "{region} ({n} {units})"),
    "mapx.caption.date": ("统计日期：{date}", "As of: {date}"),
    "mapx.caption.statuses": ("计入覆盖的状态：{statuses}", "Statuses counted: {statuses}"),
    "mapx.caption.radius": ("服务半径：{radii}", "Radii: {radii}"),
    "mapx.caption.radius_item": ("{type} {radius} 米", "{type} {radius} m"),
    "mapx.caption.demo": ("含演示数据（非真实站点）：{n} 个", "Includes demo data (not real sites): {n}"),
    "mapx.caption.sources": ("站点来源：{sources}", "Site sources: {sources}"),
    "mapx.caption.generated": ("生成于 {when}", "Made on {when}"),
    "mapx.field.type": ("类型", "Type"),
    "mapx.field.status": ("状态", "Status"),
    "mapx.field.town": ("镇街", "Town"),
    "mapx.field.address": ("地址", "Address"),
    "mapx.field.host": ("承建单位", "Host organisation"),
    "mapx.field.opened": ("开放日期", "Opened on"),
    "mapx.field.source": ("数据来源", "Source"),
    "mapx.field.id": ("编号", "ID"),
    "mapx.field.share": ("覆盖率", "Covered share"),
    "mapx.field.sites": ("站点数", "Sites"),
    "mapx.field.area": ("服务空白面积（km²）", "Gap area (km²)"),
    "mapx.field.newly": ("新增覆盖", "Newly covered"),
    "mapx.field.order": ("建议顺序", "Rank"),
    "mapx.field.position": ("坐标（WGS84）", "Position (WGS84)"),
    "mapx.field.amap": ("高德坐标（GCJ-02）", "Amap position (GCJ-02)"),
    "mapx.source.demo": ("演示数据（demo，非真实站点）", "Demo data (not a real site)"),
    "mapx.source.amap": ("高德地图 POI（amap）", "Amap POI (amap)"),
    "mapx.source.suggest": ("规划建议（suggest）", "Planning suggestion (suggest)"),
    "mapx.suggested_name": ("建议新址 {n}：{type}（{town}）", "Suggested site {n}: {type} ({town})"),
    "mapx.unit.km2": ("{value:,.2f} km²", "{value:,.2f} km²"),
    "mapx.unit.demand": ("{value:,.0f}", "{value:,.0f}"),
    "mapx.written": ("已写出 {path}（{n} 个站点）", "wrote {path} ({n} sites)"),
    "mapx.progress.load": ("读取登记库", "reading the registry"),
    "mapx.progress.coverage": ("计算覆盖", "computing coverage"),
    "mapx.progress.map": ("绘制地图", "drawing the map"),

    # ======================== vendored map assets (maps.assets)
    "map.assets_unreachable": (
        "无法从 npm 软件包仓库下载地图组件 {url}（{reason}）。请检查网络，或设置 HTTPS_PROXY 代理后重新运行 "
        "python -m geodata assets",
        "cannot download the map's JavaScript/CSS from the npm registry: {url} ({reason}). Check the "
        "network or set HTTPS_PROXY, then run python -m geodata assets again",
    ),
    "map.integrity": (
        "下载的 {package} 校验失败：应为 {expected}，实际为 {actual}。文件可能被篡改或损坏，未安装",
        "the downloaded {package} failed its integrity check: expected {expected}, got {actual}; "
        "the file may be tampered with or corrupt and was not installed",
    ),
    "map.tarball_incomplete": (
        "{package} 的安装包中缺少文件 {file}",
        "{package}: the tarball has no file {file}",
    ),
    "map.assets_missing": (
        "本机缺少地图组件 {files}。请先运行 python -m geodata assets（scripts/setup.sh 会自动运行）",
        "the map's JavaScript/CSS is missing on this machine: {files}. Run python -m geodata assets "
        "first (scripts/setup.sh does)",
    ),
    "map.asset_unknown": (
        "地图元素 {element} 需要外部资源 {name}（{url}），本机没有离线副本；请改用只依赖 Leaflet 的元素",
        "map element {element} needs the external resource {name} ({url}), which has no local copy; "
        "use an element that needs only Leaflet",
    ),
    "map.icon_unsupported": (
        "地图元素 {element} 需要 Font Awesome/Bootstrap 图标，离线地图不提供；请改用 CircleMarker 或 DivIcon",
        "map element {element} needs Font Awesome/Bootstrap icons, which the offline map does not ship; "
        "use CircleMarker or DivIcon instead",
    ),

}
