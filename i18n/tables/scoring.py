"""The coverage engine: coverage, gaps, suggestions, demand layers and their progress words."""

MESSAGES: dict[str, tuple[str, str]] = {
    "scoring.bad_radius": (
        "服务半径 {value} 无效：应为大于 0 的米数",
        "radius {value} is not valid: expected a number of metres > 0",
    ),
    "scoring.unknown_type": (
        "未知的站点类型“{value}”，可选：{known}",
        "unknown site type '{value}'; known types: {known}",
    ),
    "scoring.unknown_status": (
        "未知的站点状态“{value}”，可选：{known}",
        "unknown site status '{value}'; known statuses: {known}",
    ),
    "scoring.missing_columns": (
        "缺少列：{columns}",
        "missing columns: {columns}",
    ),
    "scoring.demand_format": (
        "无法读取需求图层：应为带权重字段的点（CSV 含 lng/lat 列，或 GeoJSON/GeoPackage）或 GeoTIFF 栅格",
        "cannot read the demand layer: expected points with a weight field (CSV with lng/lat "
        "columns, or GeoJSON/GeoPackage) or a GeoTIFF raster",
    ),
    "scoring.weight_field_missing": (
        "需求图层没有权重字段“{field}”；现有字段：{known}",
        "the demand layer has no weight field '{field}'; its fields: {known}",
    ),
    "scoring.bad_weight": (
        "权重“{value}”不是大于等于 0 的数",
        "weight '{value}' is not a number >= 0",
    ),
    "scoring.bad_coordinate": (
        "坐标（{lng}, {lat}）不是有效的经纬度",
        "coordinate ({lng}, {lat}) is not a valid longitude/latitude",
    ),
    "scoring.unknown_town": (
        "镇街代码“{value}”不在本区域的镇街中",
        "town code '{value}' is not one of the region's towns",
    ),
    "scoring.bad_count": (
        "新增站点数 {value} 无效：应为大于等于 1 的整数",
        "number of new sites {value} is not valid: expected a whole number >= 1",
    ),
    "scoring.no_candidates": (
        "没有可用的候选点（候选点须在区域内）",
        "no usable candidate points (candidates must lie inside the region)",
    ),
    "scoring.too_few_candidates": (
        "候选点只有 {available} 个，少于要选的 {count} 个",
        "only {available} candidate points for {count} new sites",
    ),
    "scoring.min_per_town_infeasible": (
        "每个镇街至少 {minimum} 个共需 {needed} 个新站点，超过要选的 {count} 个，或有镇街没有候选点：{towns}",
        "at least {minimum} per town needs {needed} new sites, more than the {count} asked for, "
        "or some towns have no candidate: {towns}",
    ),
    "scoring.bad_method": (
        "求解方法“{value}”无效，可选：{known}",
        "solving method '{value}' is not valid; choose one of {known}",
    ),
    "scoring.bad_grid_spacing": (
        "候选网格间距 {value} 米无效：应大于 0",
        "candidate grid spacing {value} m is not valid: expected > 0",
    ),
    "scoring.bad_distance": (
        "距离方式“{value}”无效，可选：{known}",
        "distance mode '{value}' is not valid; choose one of {known}",
    ),
    "scoring.bad_walk_option": (
        "步行参数 {name} = {value} 无效：应为大于 0 的数",
        "walking option {name} = {value} is not valid: expected a number > 0",
    ),
    "scoring.no_network": (
        "按步行距离计算需要路网：先用 python -m sites set-network 文件 --crs wgs84 载入，或用 --network 文件 指定",
        "walking distance needs a street network: load one with python -m sites set-network FILE --crs wgs84, "
        "or name a file with --network FILE",
    ),
    "scoring.even_spread_note": (
        "需求按镇街总数在镇街内均匀分布估算",
        "demand is per-town totals assumed to be spread evenly over each town",
    ),
    "scoring.progress.matrix": ("计算覆盖矩阵", "building the coverage matrix"),
    "scoring.progress.greedy": ("贪心选址 {done}/{count}", "greedy selection {done}/{count}"),
    "scoring.progress.perturb": ("扰动后再改进，第 {round}/{rounds} 轮", "perturb and improve, round {round}/{rounds}"),
    "scoring.progress.milp": (
        "精确求解（HiGHS）：当前最优 {primal:.1f}，上界 {dual:.1f}，差距 {gap:.2%}",
        "exact solve (HiGHS): best {primal:.1f}, bound {dual:.1f}, gap {gap:.2%}",
    ),
    "scoring.progress.done": ("完成", "done"),
}
