"""Rollout targets and the leadership report."""

MESSAGES: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------ validation
    "target.name_missing": ("目标名称不能为空", "the target needs a name"),
    "target.unknown_type": (
        "未知的阵地类型“{value}”，可选：{known}",
        "unknown site type '{value}'; known types: {known}",
    ),
    "target.unknown_scope": (
        "范围“{value}”无效，可选：each_town（每个镇街）、region（全区）、towns（指定镇街）",
        "scope '{value}' is not valid; choose each_town, region or towns",
    ),
    "target.unknown_measure": (
        "指标“{value}”无效，可选：site_count（站点数）、area_share（面积覆盖率%）、demand_share（需求覆盖率%）",
        "measure '{value}' is not valid; choose site_count, area_share or demand_share",
    ),
    "target.towns_missing": (
        "范围为“指定镇街”时须列出至少一个镇街代码",
        "scope 'towns' needs at least one town code",
    ),
    "target.towns_unexpected": (
        "只有范围为“指定镇街”（towns）时才能列出镇街，当前范围为 {scope}",
        "towns may be listed only with scope 'towns', not with scope '{scope}'",
    ),
    "target.unknown_town": (
        "镇街代码“{value}”不在本区域的镇街中（{known}）",
        "town code '{value}' is not one of the region's towns ({known})",
    ),
    "target.bad_count": (
        "站点数 {value} 无效：应为大于等于 1 的整数",
        "number of sites {value} is not valid: expected a whole number >= 1",
    ),
    "target.bad_share": (
        "覆盖率 {value} 无效：应为大于 0、不超过 100 的百分数",
        "coverage {value} is not valid: expected a percentage > 0 and <= 100",
    ),
    "target.radius_missing": (
        "覆盖率目标须给出服务半径（米，大于 0），当前为 {value}",
        "a coverage target needs a radius in metres > 0, got {value}",
    ),
    "target.radius_unexpected": (
        "站点数目标不使用服务半径，请删去半径 {value}",
        "a site-count target takes no radius; remove radius {value}",
    ),
    "target.unknown_status": (
        "未知的站点状态“{value}”，可选：{known}",
        "unknown site status '{value}'; known statuses: {known}",
    ),
    "target.statuses_missing": (
        "至少选择一种计入的站点状态（通常为 open 开放）",
        "choose at least one counted status (usually open)",
    ),
    "target.bad_date": (
        "日期“{value}”无效，应为 YYYY-MM-DD",
        "date '{value}' is not valid: expected YYYY-MM-DD",
    ),
    "target.bad_number": ("“{value}”不是数字", "'{value}' is not a number"),
    "target.not_found": ("没有编号为 {id} 的目标", "there is no target with id {id}"),
    "target.stale": (
        "未保存：目标 #{id} 在您载入的第 {expected} 版之后已被修改（现为第 {current} 版），本次修改没有写入。"
        "请重新载入当前内容后再改",
        "not saved: target #{id} was changed after version {expected}, which you loaded "
        "(it is now at version {current}); nothing was written. Reload its current values and edit again",
    ),
    "target.unknown_field": (
        "目标没有字段“{value}”，可修改：{known}",
        "a target has no field '{value}'; editable fields: {known}",
    ),
    "target.describe_new_since": ("（只计 {date} 及以后开放的新建站点）", " (only sites opened on or after {date} count)"),
    "target.new_since_after_deadline": ("“新建起始日期” {since} 晚于截止日期 {deadline}",
                                        "'new since' {since} is after the deadline {deadline}"),
    "target.demand_layer_unexpected": ("只有“需求覆盖率”目标需要需求图层（填了“{value}”）",
                                       "only a share-of-demand target takes a demand layer (got '{value}')"),
    "target.sheet_no_header": ("前 {rows} 行中找不到表头行：需要“镇街代码”或“镇街名称”，以及“目标数量”",
                               "no header row in the first {rows} rows: it needs 镇街代码 (town code) or 镇街名称 "
                               "(town name), and 目标数量 (threshold)"),
    "target.sheet_unknown_town": ("本区域没有镇街“{value}”", "the region has no town called '{value}'"),
    "target.sheet_town_missing": ("缺少镇街代码或镇街名称", "no town code or town name"),
    "target.sheet_duplicate": ("{town}已在第 {line} 行有同类目标", "{town} already has this target on row {line}"),
    "target.sheet_rejected": ("目标表有 {bad} 行有错误（共 {total} 行），未导入任何目标",
                              "{bad} of {total} rows have errors: no target was imported"),
    "target.sheet_imported": ("已从 {file} 导入 {n} 个目标", "imported {n} targets from {file}"),
    "target.cli.unavailable": ("目标 #{id}“{name}”无法计算：{reason}", "target #{id} '{name}' cannot be evaluated: {reason}"),
    "report.new_since_mark": ("（{date}起新建）", " (new since {date})"),
    "report.unavailable_heading": ("无法计算的目标", "Targets that cannot be evaluated"),
    "report.unavailable_line": ("{name}：{reason}", "{name}: {reason}"),
    "target.no_demand": (
        "目标“{name}”按需求覆盖率计算，但没有提供需求图层",
        "target '{name}' measures demand coverage but no demand layer was given",
    ),
    "report.bad_suffix": (
        "无法识别报告格式“{value}”：文件名应以 .xlsx、.pdf 或 .html 结尾",
        "unknown report format '{value}': the file name must end in .xlsx, .pdf or .html",
    ),
    # ------------------------------------------------------------ names
    "scope.each_town": ("每个镇街", "every town"),
    "scope.region": ("全区合计", "the region as a whole"),
    "scope.towns": ("指定镇街", "listed towns"),
    "measure.site_count": ("站点数", "number of sites"),
    "measure.area_share": ("面积覆盖率", "share of area covered"),
    "measure.demand_share": ("需求覆盖率", "share of demand covered"),
    "unit.sites": ("个", "sites"),
    "unit.km2": ("平方公里", "km²"),
    "unit.people": ("人", "people"),
    "target.describe_count": (
        "{scope}至少 {n} 个{statuses}的{type}，{deadline} 前完成",
        "{scope}: at least {n} {type} ({statuses}) by {deadline}",
    ),
    "target.describe_share": (
        "{scope}{measure}达到 {n}%（服务半径 {radius} 米，计入{statuses}的{type}），{deadline} 前完成",
        "{scope}: {measure} at least {n}% at radius {radius} m ({type}, {statuses}) by {deadline}",
    ),
    "region.whole": ("全区", "whole region"),
    # ------------------------------------------------------------ report
    "report.title": ("{region}职工服务阵地建设目标完成情况", "{region}: rollout targets for worker service sites"),
    "report.as_of": ("统计日期：{date}", "as of {date}"),
    "report.summary": ("已完成目标 {met} / {total} 项", "targets met: {met} of {total}"),
    "report.targets_heading": ("目标一览", "Targets"),
    "report.towns_heading": ("分镇街完成情况", "Town by town"),
    "report.shortfall_heading": ("差距清单", "Shortfalls"),
    "report.rule_heading": ("红黄绿判定规则", "Red / amber / green"),
    "report.rule": (
        "绿：已达标。黄：未达标，但截止日期未过，且按近12个月的建设速度可在截止日期前补齐差距，"
        "或该镇街在建的同类站点足以补齐差距。红：其余情况（已过截止日期仍未达标，或按目前速度无法按期完成）。",
        "Green: met. Amber: not met, the deadline has not passed, and at the rate of the last 12 "
        "months the shortfall closes by the deadline, or sites of the type under construction in "
        "the town would close it. Red: otherwise (deadline passed and not met, or not on track).",
    ),
    "report.col.target": ("目标", "Target"),
    "report.col.type": ("阵地类型", "Site type"),
    "report.col.deadline": ("截止日期", "Deadline"),
    "report.col.days_left": ("剩余天数", "Days left"),
    "report.col.towns_met": ("达标镇街", "Towns met"),
    "report.col.status": ("状态", "Status"),
    "report.col.projection": ("按目前速度", "At the present rate"),
    "report.col.town": ("镇街", "Town"),
    "report.col.required": ("要求", "Required"),
    "report.col.actual": ("现有", "Actual"),
    "report.col.shortfall": ("差距", "Shortfall"),
    "report.col.sites": ("计入的站点", "Sites counted"),
    "report.met": ("已达标", "met"),
    "report.not_met": ("未达标", "not met"),
    "report.projected": ("预计 {date} 达标", "met by {date}"),
    "report.not_at_rate": ("按目前速度无法达标", "not at this rate"),
    "report.already_met": ("已达标", "already met"),
    "report.no_shortfall": ("所有目标均已达标，没有差距。", "Every target is met; no shortfalls."),
    "report.shortfall_line": (
        "{town}：{target}，差 {shortfall} {unit}（现有 {actual} / 要求 {required}），截止 {deadline}，{days}",
        "{town}: {target}, short by {shortfall} {unit} (actual {actual} / required {required}), "
        "deadline {deadline}, {days}",
    ),
    "report.days_left": ("剩余 {days} 天", "{days} days left"),
    "report.days_over": ("已超期 {days} 天", "{days} days overdue"),
    "report.rag.green": ("绿", "green"),
    "report.rag.amber": ("黄", "amber"),
    "report.rag.red": ("红", "red"),
    "report.demo_note": (
        "注意：带 * 的数字计入了演示数据（来源 demo，位置为示意，非真实站点），共 {n} 个演示站点。",
        "Note: figures marked * count demo data (source demo: illustrative, not real sites), {n} demo sites.",
    ),
    "report.footer": (
        "数据来源：职工服务阵地登记库；镇街边界 {attribution}",
        "Source: the site registry; town boundaries {attribution}",
    ),
}
