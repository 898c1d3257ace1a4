"""Demand layers stored in the database (``demand/store.py``) and their use by targets."""

MESSAGES: dict[str, tuple[str, str]] = {
    "demand.name_missing": ("需求图层须有名称", "a demand layer needs a name"),
    "demand.exists": (
        "已有名为“{name}”的需求图层；换个名称，或用 --replace 替换",
        "a demand layer named '{name}' exists; choose another name, or replace it with --replace",
    ),
    "demand.not_found": (
        "没有名为“{name}”的需求图层（已有：{known}）",
        "there is no demand layer named '{name}' (stored: {known})",
    ),
    "demand.layer_gone": (
        "目标“{target}”使用的需求图层“{name}”已不存在（已有：{known}）；请重新添加该图层"
        "（python -m sites demand-add 或数据页），或修改目标",
        "the demand layer '{name}' of target '{target}' no longer exists (stored: {known}); add it again "
        "(python -m sites demand-add or the data page), or change the target",
    ),
    "demand.crs_required": (
        "点位需求图层的坐标系不能猜：请说明它是 wgs84、gcj02（高德）还是 bd09（百度）（--crs）",
        "the coordinate system of a points demand layer is never guessed: say whether it is wgs84, "
        "gcj02 (Amap) or bd09 (Baidu) (--crs)",
    ),
    "demand.kind.points": ("点位", "points"),
    "demand.kind.town_totals": ("按镇街合计", "town totals"),
    "demand.kind.raster": ("栅格（已裁剪到区域）", "raster (clipped to the region)"),
    "demand.cli.added": (
        "已保存需求图层“{name}”：{kind}，{n} 个值，合计 {total} {unit}，坐标系 {crs}，来源 {source}",
        "demand layer '{name}' stored: {kind}, {n} values, total {total} {unit}, CRS {crs}, source {source}",
    ),
    "demand.cli.deleted": ("已删除需求图层“{name}”", "demand layer '{name}' deleted"),
    "demand.cli.none": ("还没有需求图层", "no demand layers yet"),
    "ui.data.demand": ("需求图层（人口、职工）", "Demand layers (population, workers)"),
    "ui.demand.none": ("还没有需求图层：人口覆盖目标需要一个", "No demand layers yet: a population target needs one"),
    "ui.demand.role": ("只有管理员可以添加或删除需求图层", "Only admins can add or delete demand layers"),
    "ui.demand.col.name": ("名称", "Name"),
    "ui.demand.col.kind": ("类型", "Kind"),
    "ui.demand.col.total": ("合计", "Total"),
    "ui.demand.col.count": ("值的个数", "Values"),
    "ui.demand.col.crs": ("坐标系", "CRS"),
    "ui.demand.col.source": ("来源文件", "Source file"),
    "ui.demand.col.loaded": ("载入时间 · 操作人", "Loaded · by"),
    "ui.demand.delete_pick": ("要删除的图层", "Layer to delete"),
    "ui.demand.delete": ("删除图层", "Delete layer"),
    "ui.demand.delete_placeholder": ("选择一个图层", "Choose a layer"),
    "ui.demand.deleted": ("已删除需求图层“{name}”", "Demand layer '{name}' deleted"),
    "ui.demand.upload": (
        "添加需求图层：点位 CSV/GeoJSON/GeoPackage、按{unit}合计的 CSV，或人口栅格 GeoTIFF（裁剪到区域）",
        "Add a demand layer: points CSV/GeoJSON/GeoPackage, a CSV of {unit} totals, or a population GeoTIFF "
        "(clipped to the region)",
    ),
    "ui.demand.kind_bad": ("不能作为需求图层：{file}", "Not usable as a demand layer: {file}"),
    "ui.demand.name": ("图层名称", "Layer name"),
    "ui.demand.weight_field": ("权重字段（栅格不用填）", "Weight field (not for a raster)"),
    "ui.demand.unit": ("单位", "Unit"),
    "ui.demand.unit_default": ("人", "people"),
    "ui.demand.crs": ("点位的坐标系", "Coordinate system of the points"),
    "ui.demand.crs_help": (
        "点位文件必须选择；栅格自带坐标系，按{unit}合计没有坐标",
        "Required for a points file; a raster carries its own, {unit} totals have none",
    ),
    "ui.demand.add": ("保存图层", "Store layer"),
    "ui.demand.loading": ("正在读取需求图层…", "Reading the demand layer…"),
    "ui.demand.refused": ("未保存：", "Not stored:"),
}
