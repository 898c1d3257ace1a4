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
}
