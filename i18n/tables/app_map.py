"""The planner's map page: sidebar controls, suggestions and the town table."""

MESSAGES: dict[str, tuple[str, str]] = {
    # ======================== map page: sidebar, suggestions
    "ui.mapx.controls": ("地图设置", "Map settings"),
    "ui.mapx.types": ("站点类型", "Site types"),
    "ui.mapx.radii": ("服务半径", "Catchment radius"),
    "ui.mapx.radius_of": ("{type}半径", "{type}: radius"),
    "ui.mapx.minutes_of": ("{type}：步行分钟数", "{type}: minutes of walking"),
    "ui.mapx.minutes_is": ("即步行 {m} 米（按 {speed:g} 公里/小时）", "that is {m} m walked (at {speed:g} km/h)"),
    "ui.mapx.distance": ("距离算法", "Distance"),
    "ui.mapx.distance_mode.straight": ("直线距离", "Straight line"),
    "ui.mapx.distance_mode.network": ("步行距离", "Walking distance"),
    "ui.mapx.no_network": (
        "还没有路网：请管理员在“数据导入导出”页载入路网（或运行 python -m sites set-network）。暂按直线距离计算。",
        "No street network yet: an admin loads one on the Data page (or runs python -m sites set-network). "
        "Straight-line distance is used meanwhile.",
    ),
    "ui.mapx.off_network": (
        "{n} 个站点离最近的道路超过 {m} 米，未接入路网，不参与步行覆盖（请核对坐标或路网范围）",
        "{n} sites lie more than {m} m from every street: they join no street and cover nothing on foot "
        "(check their coordinates or the network's extent)",
    ),
    "ui.mapx.walk_unit": ("半径单位", "Radius in"),
    "ui.mapx.walk_unit.metres": ("步行米数", "metres walked"),
    "ui.mapx.walk_unit.minutes": ("步行分钟", "minutes of walking"),
    "ui.mapx.walk_speed": ("步行速度（公里/小时）", "Walking speed (km/h)"),
    "ui.mapx.walk_note": (
        "沿街道步行计算（按 {speed:g} 公里/小时，每分钟 {per_minute:.0f} 米）；路网：{file}，路口 {junctions} 个。"
        "离道路超过 {m} 米的站点和需求点不接入路网，不参与覆盖。",
        "Measured along the streets (at {speed:g} km/h, {per_minute:.0f} m a minute); network: {file}, "
        "{junctions} junctions. Sites and demand points more than {m} m from every street join no street and "
        "count for nothing.",
    ),
    "ui.mapx.max_access": ("离道路最远（米）", "Farthest from a street (m)"),
    "ui.mapx.max_access_help": (
        "站点或需求点沿直线走到最近道路的距离计入步行距离；超过此距离的点视为未接入路网并列出。",
        "The straight walk from a site or demand point to its nearest street counts in the walk; points farther "
        "than this join no street and are listed.",
    ),
    "ui.mapx.off_network_list": ("未接入路网的站点（{n} 个）", "Sites off the network ({n})"),
    "ui.mapx.off_network_name": ("站点", "Site"),
    "ui.mapx.off_network_type": ("类型", "Type"),
    "ui.mapx.off_network_town": ("所在{Unit}", "{Unit}"),
    "ui.mapx.custom": ("自定义", "Custom"),
    "ui.mapx.radius_m": ("半径（米）", "Radius (m)"),
    "ui.mapx.radius_preset": ("{m:,} 米", "{m:,} m"),
    "ui.mapx.basis": ("依据：{text}", "Basis: {text}"),
    "ui.mapx.statuses": ("计入覆盖的状态", "Statuses that count"),
    "ui.mapx.statuses_help": (
        "规划中和在建的站点总会以空心标出；只有选中的状态计入覆盖。",
        "Planned and under-construction sites are always drawn hollow; only the chosen statuses count.",
    ),
    "ui.mapx.towns": ("{Units}筛选", "{Units}"),
    "ui.mapx.all_towns": ("全部{units}", "All {units}"),
    "ui.mapx.as_of": ("统计日期", "As of"),
    "ui.mapx.focus": ("分级设色的类型", "Type shaded by covered share"),
    "ui.mapx.show_catchment": ("显示服务范围", "Show catchment areas"),
    "ui.mapx.show_gaps": ("显示服务空白", "Show gaps"),
    "ui.mapx.demand": ("需求图层（可选）", "Demand layer (optional)"),
    "ui.mapx.demand_help": (
        "人口或职工分布：带经纬度（WGS84）和权重列的 CSV、点 GeoJSON/GeoPackage、GeoTIFF，或按{unit}代码汇总的 CSV",
        "Population or workers: CSV with lng/lat (WGS84) and a weight column, point GeoJSON/GeoPackage, "
        "GeoTIFF, or a CSV of totals by {unit} code",
    ),
    "ui.mapx.demand_stored": ("已存的需求图层", "Stored demand layer"),
    "ui.mapx.demand_none": ("不用（或在下面上传文件）", "None (or upload a file below)"),
    "ui.mapx.demand_role": ("只有编辑者和管理员可以上传需求图层", "Only editors and admins can upload a demand layer"),
    "ui.mapx.weight_field": ("权重字段", "Weight field"),
    "ui.mapx.demand_loaded": ("已使用需求图层：{name}", "Demand layer in use: {name}"),
    "ui.mapx.demand_unit": ("需求", "demand"),
    "ui.mapx.even_spread": (
        "需求按{unit}总数在{unit}内均匀分布估算。",
        "Demand is per-{unit} totals assumed to be spread evenly over each {unit}.",
    ),
    "ui.mapx.empty": (
        "登记库中还没有站点：地图只显示{unit}边界。可在“站点填报”页添加站点或导入文件。",
        "The registry has no sites yet: the map shows the {unit} outlines only. Add sites or import a file "
        "on the sites pages.",
    ),
    "ui.mapx.seed_demo": ("载入南海示例数据（演示）", "Load the Nanhai sample (demo)"),
    "ui.mapx.seeding": ("正在载入示例数据……", "Loading the sample…"),
    "ui.mapx.seeded": ("已载入 {n} 个示例站点（工人文化宫来自高德，其余为演示数据）",
                       "Loaded {n} sample sites (palaces from Amap, the rest demo data)"),
    "ui.mapx.no_types": ("请至少选择一种站点类型。", "Choose at least one site type."),
    "ui.mapx.computing": ("正在计算覆盖……", "Computing coverage…"),
    "ui.mapx.drawing": ("正在绘制地图……", "Drawing the map…"),
    # the region's unit (镇街 or 区县) in every label that names it: geodata.boundaries.unit_words
    "ui.mapx.page": ("{Units}地图", "{Units} map"),
    "ui.mapx.region": ("{region}：{n} 个{units}，共 {area:,.1f} km²", "{region}: {n} {units}, {area:,.1f} km² in all"),
    "ui.mapx.selected": ("已选{unit}：{name}（{code}）", "Selected {unit}: {name} ({code})"),
    "ui.mapx.unit_list": ("{Units}列表", "{Units}"),
    "ui.mapx.hint": (
        "点击站点查看详情；右上角图层按钮可开关各类型的站点、服务范围和空白。",
        "Click a site for its details; the layers button (top right) switches sites, catchment and gaps "
        "per type.",
    ),
    "ui.mapx.shown": ("地图上有 {n:,} 个站点", "{n:,} sites on the map"),
    "ui.mapx.shown_of": ("地图上有 {n:,} 个站点（登记共 {total:,} 个，其余不属所选的站点类型、{units}，或不在计入状态和规划、在建之列）",
                         "{n:,} sites on the map ({total:,} registered; the others are of types or {units} not "
                         "chosen, or neither in a counted status nor planned or under construction)"),
    "ui.mapx.demo_note": ("，其中 {n:,} 个为演示数据（非真实站点）", ", {n:,} of them demo data (not real sites)"),
    "ui.mapx.export": ("导出地图（HTML，可离线打开）", "Export the map (HTML, opens offline)"),
    "ui.mapx.exporting": ("正在生成 HTML……", "Making the HTML…"),
    "ui.mapx.download": ("下载地图 HTML", "Download the map HTML"),
    "ui.mapx.table_csv": ("下载{unit}表（CSV）", "Download the {unit} table (CSV)"),
    "ui.mapx.suggest": ("建议新址", "Suggested sites"),
    "ui.mapx.suggest_no_type": ("先在侧栏选择站点类型。", "Choose a site type in the sidebar first."),
    "ui.mapx.suggest_type": ("类型", "Type"),
    "ui.mapx.suggest_k": ("新址数量 K", "Number of sites K"),
    "ui.mapx.suggest_run": ("计算建议", "Suggest"),
    "ui.mapx.suggest_help": (
        "在 {radius} 米半径内新增覆盖最多的位置（候选点为区域内的规则网格；无需求图层时按面积计）。",
        "Places that newly cover the most within {radius} m (candidates on a regular grid over the region; "
        "by area when there is no demand layer).",
    ),
    "ui.mapx.suggest_running": ("正在计算建议……", "Computing suggestions…"),
    "ui.mapx.suggest_result": (
        "{n} 个{type}建议新址：覆盖由 {before:,.2f} 增至 {after:,.2f}（{unit}）",
        "{n} suggested sites ({type}): coverage from {before:,.2f} to {after:,.2f} ({unit})",
    ),
    "ui.mapx.suggest_row": ("{name}：新增覆盖 {value:,.2f} {unit}", "{name}: newly covers {value:,.2f} {unit}"),
    "ui.mapx.suggest_coords": (
        "WGS84：{lng:.6f}, {lat:.6f} · 高德地图坐标 GCJ-02（经度,纬度，可复制后粘贴到高德）：",
        "WGS84: {lng:.6f}, {lat:.6f} · Amap position, GCJ-02 (lng,lat, copy and paste into Amap):",
    ),
    "ui.mapx.suggest_dismiss": ("清除建议", "Dismiss"),
    "ui.mapx.suggest_was_added": ("已加入登记（编号 {id}）", "Added (ID {id})"),
    "ui.mapx.suggest_add": ("加入登记（规划中）", "Add as planned"),
    "ui.mapx.suggest_note": ("由规划建议生成：新增覆盖 {value:,.2f} {unit}，半径 {radius} 米",
                             "From a planning suggestion: newly covers {value:,.2f} {unit} within {radius} m"),
    "ui.mapx.suggest_added": ("已加入登记：{name}（编号 {id}，规划中）", "Added to the registry: {name} (ID {id}, planned)"),

    # ======================== map page: the town table
    "ui.maptable.code": ("代码", "Code"),
    "ui.maptable.sites": ("{type}：站点数", "{type}: sites"),
    "ui.maptable.share": ("{type}：覆盖率（%）", "{type}: covered (%)"),
    "ui.maptable.gap_km2": ("{type}：空白（km²）", "{type}: gap (km²)"),
    "ui.maptable.gaps": ("{type}：空白片数", "{type}: gap patches"),
    "ui.maptable.demand": ("{type}：覆盖需求（%）", "{type}: demand covered (%)"),
    "ui.maptable.rank": ("{type}：排名（1 为最差）", "{type}: rank (1 = worst)"),
    "ui.maptable.all_columns": ("显示全部列", "Show all columns"),
    "ui.maptable.compact_note": ("覆盖率、站点数、空白和排名为{type}；其后为其他类型的覆盖率。",
                                 "Covered, sites, gap and rank are for {type}; then each other type's covered share."),
    "ui.maptable.short_share": ("覆盖率（%）", "Covered (%)"),
    "ui.maptable.short_sites": ("站点数", "Sites"),
    "ui.maptable.short_gap": ("空白（km²）", "Gap (km²)"),
    "ui.maptable.short_rank": ("排名", "Rank"),
    "ui.maptable.short_type": ("{type}（%）", "{type} (%)"),
    "ui.maptable.worst": ("{type}覆盖最差的{units}", "Worst-served {units}: {type}"),
    "ui.maptable.worst_row": (
        "{rank}. {name}：覆盖 {share:.1f}%，{sites} 个站点，空白 {gap:,.2f} km²",
        "{rank}. {name}: {share:.1f}% covered, sites: {sites}, uncovered: {gap:,.2f} km²",
    ),

}
