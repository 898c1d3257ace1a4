"""UI text of the staff (sites), leadership (targets) and data pages, Chinese first; and the audit table.

Registered with :mod:`i18n` on import (page titles live in :mod:`app_pages.ui_text`).
"""

from __future__ import annotations

from collections.abc import Sequence

from i18n import register, t
from settings import Language
from sites.store import AuditEntry

register(
    {
        "ui.all": ("全部", "All"),
        "ui.demo_mark": ("（演示数据）", " (demo data)"),
        "ui.crs.gcj02": ("GCJ-02（高德/腾讯，从高德复制选这个）", "GCJ-02 (Amap/Tencent: copied from Amap)"),
        "ui.crs.wgs84": ("WGS84（GPS/天地图/OSM）", "WGS84 (GPS/Tianditu/OSM)"),
        "ui.crs.bd09": ("BD-09（百度）", "BD-09 (Baidu)"),
        # ------------------------------------------------------------- form
        "ui.form.actor": ("填报人", "Your name"),
        "ui.form.actor_help": ("每次保存都以此名字记入修改记录", "Every change is recorded under this name"),
        "ui.form.field.name": ("名称", "Name"),
        "ui.form.field.type": ("类型", "Type"),
        "ui.form.field.status": ("状态", "Status"),
        "ui.form.field.coords": ("坐标（经度,纬度）", "Coordinates (longitude,latitude)"),
        "ui.form.field.address": ("地址", "Address"),
        "ui.form.field.host_org": ("依托单位", "Host organisation"),
        "ui.form.field.opened_on": ("开放日期", "Opened on"),
        "ui.form.field.closed_on": ("关闭日期", "Closed on"),
        "ui.form.field.notes": ("备注", "Notes"),
        "ui.form.field.source": ("数据来源", "Source"),
        "ui.form.field.town": ("镇街", "Town"),
        "ui.form.crs": ("坐标来自", "Coordinates from"),
        "ui.form.coords_help": (
            "粘贴从高德、百度或 GPS 复制的坐标，例如 113.14,23.03；先纬度后经度也能识别。也可在下方地图上点选。",
            "Paste coordinates copied from Amap, Baidu or a GPS, e.g. 113.14,23.03; latitude first is "
            "recognised too. Or click the map below.",
        ),
        "ui.form.coords_unreadable": ("无法从“{value}”中读出经度和纬度，请粘贴如 113.14,23.03 的坐标",
                                      "cannot read a longitude and latitude from '{value}'; paste e.g. "
                                      "113.14,23.03"),
        "ui.form.swapped": ("看起来是“纬度,经度”的顺序，已按经度 {lng}、纬度 {lat} 读取",
                            "This looks like latitude,longitude; read as longitude {lng}, latitude {lat}"),
        "ui.form.point": ("换算为 WGS84（由 {crs}）：{lng}, {lat} · 所在镇街：{town}",
                          "In WGS84 (from {crs}): {lng}, {lat} · town: {town}"),
        "ui.form.no_town": ("不在任何镇街内", "outside every town"),
        "ui.form.map_hint": ("点击地图设定位置：地图不加底图，点击得到的是 WGS84 坐标（坐标系将自动改为 WGS84）。",
                             "Click the map to set the point: the map has no shifted tiles, so a click gives "
                             "WGS84 (the coordinate system switches to WGS84)."),
        "ui.form.new_point": ("新站点位置", "New site's position"),
        "ui.form.confirm_duplicate": ("我已在地图上核对，这不是重复站点，仍要保存",
                                      "I checked the map: this is not a duplicate; save it anyway"),
        "ui.form.confirm_duplicate_first": ("疑似与已有站点重复：请在地图上核对并勾选确认后再保存",
                                            "This looks like a duplicate of an existing site: check the map and "
                                            "tick the confirmation before saving"),
        "ui.form.not_saved": ("未保存：有 {n} 个问题，已在对应字段下标出", "Not saved: {n} problems, shown under "
                                                                   "their fields"),
        "ui.form.source_hint": ("例如：高德地图、单位报送；留空则记为“表单填报”", "e.g. Amap, reported by the "
                                                                "workplace; empty: 'form entry'"),
        "ui.form.source_default": ("表单填报（{actor}）", "form entry ({actor})"),
        "ui.form.save": ("保存新站点", "Save new site"),
        "ui.form.save_changes": ("保存修改", "Save changes"),
        "ui.form.added": ("已保存站点 #{id}“{name}”（{town}）", "Saved site #{id} '{name}' ({town})"),
        "ui.form.updated": ("已更新站点 #{id}“{name}”（{town}）", "Updated site #{id} '{name}' ({town})"),
        "ui.form.reload": ("重新载入该站点的当前内容（放弃我未保存的修改）",
                           "Reload the site's current values (discarding my unsaved changes)"),
        "ui.form.reloaded": ("已载入站点 #{id} 的当前内容（第 {version} 版）；您刚才未保存的修改已放弃，请在此基础上重新修改后保存",
                             "Loaded the current values of site #{id} (version {version}); your unsaved changes "
                             "were discarded: make them again on these values and save"),
        # ------------------------------------------------------------ sites page
        "ui.sites.mode": ("操作", "Task"),
        "ui.sites.mode.add": ("新增站点", "Add a site"),
        "ui.sites.mode.edit": ("修改或关闭站点", "Edit or close a site"),
        "ui.sites.add": ("新增站点", "Add a site"),
        "ui.sites.edit": ("查找站点", "Find a site"),
        "ui.sites.search": ("按名称或地址搜索", "Search by name or address"),
        "ui.sites.none_found": ("没有符合条件的站点", "No site matches"),
        "ui.sites.pick": ("选择站点", "Site"),
        "ui.sites.current": ("站点 #{id} · 镇街：{town} · 来源：{source} · 最后修改：{by}，{at}",
                             "Site #{id} · town: {town} · source: {source} · last changed by {by}, {at}"),
        "ui.sites.version": ("您正在修改第 {version} 版", "You are editing version {version}"),
        "ui.sites.close": ("关闭站点", "Close the site"),
        "ui.sites.close_button": ("关闭此站点", "Close this site"),
        "ui.sites.closed": ("已关闭站点 #{id}“{name}”", "Closed site #{id} '{name}'"),
        "ui.sites.history": ("修改记录", "History"),
        # ------------------------------------------------------------ audit table
        "ui.audit.at": ("时间（UTC）", "When (UTC)"),
        "ui.audit.actor": ("操作人", "Who"),
        "ui.audit.action": ("操作", "Action"),
        "ui.audit.site": ("站点编号", "Site id"),
        "ui.audit.name": ("站点名称", "Site name"),
        "ui.audit.changes": ("修改内容（原值 → 新值）", "Changes (before → after)"),
        "ui.audit.create": ("新增", "created"),
        "ui.audit.update": ("修改", "updated"),
        "ui.audit.close": ("关闭", "closed"),
        "ui.audit.delete": ("删除", "deleted"),
    }
)

#: Fields left out of the "changes" column (stamps every write changes).
_STAMPS = {"updated_by", "updated_at", "created_by", "created_at", "id", "version"}


def audit_table(entries: Sequence[AuditEntry], lang: Language) -> dict[str, list[object]]:
    """Columns of an audit table: when, who, what, which site, and each changed field before → after."""
    def changes(entry: AuditEntry) -> str:
        if entry.action == "create":
            return ""
        pairs = [(k, v) for k, v in entry.changes().items() if k not in _STAMPS]
        return "; ".join(f"{k}: {_show(b)} → {_show(a)}" for k, (b, a) in pairs)

    def name(entry: AuditEntry) -> str:
        return str((entry.after or entry.before or {}).get("name", ""))

    return {
        t("ui.audit.at", lang): [e.at for e in entries],
        t("ui.audit.actor", lang): [e.actor for e in entries],
        t("ui.audit.action", lang): [t(f"ui.audit.{e.action}", lang) for e in entries],
        t("ui.audit.site", lang): [e.subject_id for e in entries],
        t("ui.audit.name", lang): [name(e) for e in entries],
        t("ui.audit.changes", lang): [changes(e) for e in entries],
    }


def _show(value: object) -> str:
    return "—" if value in (None, "") else str(value)

register(
    {
        "ui.targets.as_of": ("统计日期", "As of"),
        "ui.targets.computing": ("正在计算目标完成情况…", "Evaluating the targets…"),
        "ui.targets.none": ("还没有目标，可在下方添加", "No targets yet: add one below"),
        "ui.targets.met": ("已完成目标", "Targets met"),
        "ui.targets.towns_met": ("达标镇街（各目标合计）", "Towns meeting targets (all targets)"),
        "ui.targets.countdown": ("距截止还有（天）：{name}", "Days to the deadline: {name}"),
        "ui.targets.overdue": ("已超过截止日期（天）：{name}", "Days past the deadline: {name}"),
        "ui.targets.rag.green": ("绿", "green"),
        "ui.targets.rag.amber": ("黄", "amber"),
        "ui.targets.rag.red": ("红", "red"),
        "ui.targets.summary": ("目标一览", "Targets"),
        "ui.targets.by_town": ("分镇街完成情况（红/黄/绿）", "Town by town (red/amber/green)"),
        "ui.targets.shortfalls": ("差距清单", "Shortfalls"),
        "ui.targets.rag": ("颜色", "Colour"),
        "ui.targets.shortfall": ("差距", "Shortfall"),
        "ui.targets.no_shortfall": ("没有差距：所有目标均已达标", "No shortfall: every target is met"),
        "ui.targets.progress": ("逐月进度", "Progress month by month"),
        "ui.targets.required": ("要求", "Required"),
        "ui.targets.actual": ("现有", "Actual"),
        "ui.targets.download": ("下载领导报告", "Download the leadership report"),
        "ui.targets.download_as": ("下载 {fmt}", "Download {fmt}"),
        "ui.targets.edit": ("编辑目标", "Edit targets"),
        "ui.targets.pick": ("目标", "Target"),
        "ui.targets.new": ("＋ 新目标", "+ New target"),
        "ui.targets.field.name": ("目标名称", "Target name"),
        "ui.targets.field.site_type": ("阵地类型", "Site type"),
        "ui.targets.field.scope": ("范围", "Scope"),
        "ui.targets.field.towns": ("镇街", "Towns"),
        "ui.targets.field.measure": ("指标", "Measure"),
        "ui.targets.field.threshold_count": ("至少站点数", "At least this many sites"),
        "ui.targets.field.threshold_pct": ("覆盖率（%）", "Coverage (%)"),
        "ui.targets.field.radius_m": ("服务半径（米）", "Radius (m)"),
        "ui.targets.field.statuses": ("计入的站点状态", "Statuses that count"),
        "ui.targets.field.deadline": ("截止日期", "Deadline"),
        "ui.targets.field.notes": ("备注", "Notes"),
        "ui.targets.save": ("保存目标", "Save target"),
        "ui.targets.delete": ("删除目标", "Delete target"),
        "ui.targets.saved": ("已保存目标“{name}”", "Saved target '{name}'"),
        "ui.targets.deleted": ("已删除目标“{name}”", "Deleted target '{name}'"),
        "ui.targets.reload": ("重新载入该目标的当前内容（放弃我未保存的修改）",
                              "Reload the target's current values (discarding my unsaved changes)"),
        "ui.targets.reloaded": ("已载入目标 #{id} 的当前内容（第 {version} 版）；您刚才未保存的修改已放弃",
                                "Loaded the current values of target #{id} (version {version}); your unsaved "
                                "changes were discarded"),
        "ui.targets.gone": ("目标 #{id} 已被删除", "Target #{id} has been deleted"),
    }
)

register(
    {
        "ui.crs.file": ("按文件自带的坐标系（投影坐标、GeoPackage）", "As the file says (projected, GeoPackage)"),
        "ui.data.import": ("导入站点", "Import sites"),
        "ui.data.upload": ("站点表（CSV、XLSX 或 GeoJSON）", "Site table (CSV, XLSX or GeoJSON)"),
        "ui.data.upload_role": ("只有编辑者和管理员可以上传导入文件", "Only editors and admins can upload files to import"),
        "ui.data.region_role": ("只有管理员可以上传边界文件、更换区域", "Only admins can upload a boundary file and switch the region"),
        "ui.data.upload_hint": ("表头可用中文或英文：名称、类型、状态、经度、纬度、地址、开放日期……",
                                "Headers in Chinese or English: name, type, status, lng, lat, address, opened_on…"),
        "ui.data.skip_invalid": ("跳过有错误的行，只导入正确的行", "Skip invalid rows and import the rest"),
        "ui.data.allow_duplicates": ("疑似重复的行也导入", "Import likely duplicates too"),
        "ui.data.unreadable": ("无法导入文件 {file}：", "Cannot import {file}:"),
        "ui.data.checking": ("正在检查 {n} 行…", "Checking {n} rows…"),
        "ui.data.preview": ("**{file}**：共 {n} 行，{ok} 行可导入，{bad} 行有错误。下表为预览，尚未写入。",
                            "**{file}**: {n} rows, {ok} ready, {bad} with errors. A preview: nothing is written yet."),
        "ui.data.problems": ("逐行问题", "Problems, row by row"),
        "ui.data.col.line": ("行号", "Line"),
        "ui.data.col.field": ("字段", "Field"),
        "ui.data.col.level": ("级别", "Level"),
        "ui.data.col.reason": ("原因", "Reason"),
        "ui.data.col.status": ("状态", "Status"),
        "ui.data.level.error": ("错误", "error"),
        "ui.data.level.warning": ("提醒", "warning"),
        "ui.data.row_ok": ("✅ 可导入", "✅ ready"),
        "ui.data.row_warn": ("⚠️ 可导入（有提醒）", "⚠️ ready (warning)"),
        "ui.data.row_bad": ("❌ 有错误", "❌ error"),
        "ui.data.commit": ("确认导入", "Import now"),
        "ui.data.importing": ("正在导入 {n} 行…", "Importing {n} rows…"),
        "ui.data.step_validate": ("检查并写入（一个事务，全部成功或全部不写）",
                                  "Checking and writing (one transaction: all or nothing)"),
        "ui.data.rejected": ("导入被拒绝，未写入任何数据", "Import rejected: nothing was written"),
        "ui.data.imported": ("已导入 {written} 行，跳过 {rejected} 行", "Imported {written} rows, skipped {rejected}"),
        "ui.data.export": ("导出站点", "Export sites"),
        "ui.data.export_hint": ("共 {n} 个站点，坐标为 WGS84；“数据来源”列标明演示数据（demo）与真实数据的来源",
                                "{n} sites, positions in WGS84; the source column marks demo data (demo) and "
                                "where real data came from"),
        "ui.data.export_as": ("下载 {fmt}", "Download {fmt}"),
        "ui.data.audit": ("修改记录", "Audit log"),
        "ui.data.audit_site_help": ("0 表示全部站点", "0: every site"),
        "ui.data.audit_dates": ("日期范围（UTC）", "Dates (UTC)"),
        "ui.data.audit_count": ("{n} 条记录（最新在前）", "{n} entries (newest first)"),
        "ui.data.region": ("区域（镇街边界）", "Region (town boundaries)"),
        "ui.data.region_now": ("当前区域：{region}，{n} 个镇街", "Current region: {region}, {n} towns"),
        "ui.data.region_upload": ("新的边界文件（GeoJSON、GeoPackage 或压缩的 Shapefile）",
                                  "New boundary file (GeoJSON, GeoPackage or zipped Shapefile)"),
        "ui.data.region_unreadable": ("无法读取 {file}：{error}", "Cannot read {file}: {error}"),
        "ui.data.region_crs": ("边界文件的坐标系", "Coordinate system of the boundary file"),
        "ui.data.name_field": ("名称字段", "Name field"),
        "ui.data.code_field": ("代码字段", "Code field"),
        "ui.data.detect": ("自动识别", "Detect"),
        "ui.data.region_loading": ("正在读取边界…", "Reading the boundaries…"),
        "ui.data.region_bad": ("此边界文件不能使用：", "This boundary file cannot be used:"),
        "ui.data.region_preview": ("预览：{n} 个镇街，共 {area:,.1f} km²", "Preview: {n} towns, {area:,.1f} km² in all"),
        "ui.data.region_orphans": ("现有 {total} 个站点中有 {n} 个不在新区域的任何镇街内：切换将被拒绝",
                                   "{n} of the {total} existing sites lie outside every new town: the switch "
                                   "will be refused"),
        "ui.data.region_confirm": ("我已核对地图和镇街列表，切换到此区域", "I checked the map and the towns: switch"),
        "ui.data.region_switch": ("切换区域", "Switch region"),
        "ui.data.region_refused": ("未切换：", "Not switched:"),
        "ui.data.region_switched": ("已切换到 {region}，{changed} 个站点的镇街已更新",
                                    "Switched to {region}; {changed} sites changed town"),
    }
)
