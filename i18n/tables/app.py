"""The app's frame: title, language switch, page names, base maps."""

MESSAGES: dict[str, tuple[str, str]] = {
    "ui.app.title": ("职工服务阵地规划", "Worker Service Site Planner"),
    "ui.app.language": ("语言 / Language", "语言 / Language"),
    "ui.page.map": ("覆盖地图", "Coverage map"),
    "ui.page.sites": ("站点填报", "Add and edit sites"),
    "ui.page.targets": ("目标进度", "Targets"),
    "ui.page.data": ("数据导入导出", "Data"),
    "ui.map.tiles": ("底图", "Base map"),
    "ui.tiles.none": ("无底图（离线）", "No base map (offline)"),
    "ui.tiles.osm": ("OpenStreetMap", "OpenStreetMap"),
    "ui.tiles.amap": ("高德地图（图层转为 GCJ-02）", "Amap (overlays shifted to GCJ-02)"),
    "ui.tiles.tianditu": ("天地图", "Tianditu"),
    "ui.map.tiles_online": (
        "此底图需要互联网；离线时只显示镇街边界。",
        "This base map needs the internet; offline, only the town outlines show.",
    ),
    "ui.map.attribution": ("边界数据：{text}", "Boundaries: {text}"),

}
