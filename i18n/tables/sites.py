"""The site registry: record problems, imports and exports, the ``sites`` command line."""

MESSAGES: dict[str, tuple[str, str]] = {
    # record problems
    "sites.name_missing": ("名称为空", "the name is empty"),
    "sites.text_control": ("含有无法保存的控制字符 {char}（第 {pos} 个字符），请删除后再导入或保存",
                           "contains the control character {char} (character {pos}), which cannot be "
                           "stored; remove it and import or save again"),
    "sites.type_missing": ("未填写站点类型，应为：{allowed}",
                           "the site type is empty; expected one of: {allowed_en} (Chinese names accepted)"),
    "sites.type_unknown": ("未知的站点类型“{value}”，应为：{allowed}",
                           "unknown site type '{value}'; expected one of: {allowed_en} (Chinese names accepted)"),
    "sites.status_unknown": ("未知的状态“{value}”，应为：{allowed}（留空视为开放）",
                             "unknown status '{value}'; expected one of: {allowed_en} (Chinese names accepted; "
                             "empty means open)"),
    "sites.status_missing": ("未填写状态", "the status is empty"),
    "sites.lng_missing": ("缺少经度", "the longitude is missing"),
    "sites.lat_missing": ("缺少纬度", "the latitude is missing"),
    "sites.not_number": ("“{value}”不是数字", "'{value}' is not a number"),
    "sites.lng_range": ("经度 {value} 超出范围（-180 到 180）", "longitude {value} is out of range (-180 to 180)"),
    "sites.lat_range": ("纬度 {value} 超出范围（-90 到 90）", "latitude {value} is out of range (-90 to 90)"),
    "sites.swapped": ("经纬度似乎填反了（经度 {lng}，纬度 {lat}）：互换后位于{town}，请交换两列",
                      "longitude and latitude look swapped (lng {lng}, lat {lat}): swapped, the point "
                      "lies in {town_en}; swap the two columns"),
    "sites.outside": ("坐标 {lng}, {lat}（{crs}）不在任何已加载的镇街内，距最近的{town}约 {km} 公里",
                      "the point {lng}, {lat} ({crs}) lies outside every loaded town, {km} km from the "
                      "nearest, {town_en}"),
    "sites.outside_hint": ("坐标 {lng}, {lat}（{crs}）不在任何已加载的镇街内，距最近的{town}约 {km} 公里；"
                           "若按 {other_crs} 坐标解读则位于{other_town}，请检查坐标系",
                           "the point {lng}, {lat} ({crs}) lies outside every loaded town, {km} km from "
                           "the nearest, {town_en}; read as {other_crs} it lies in {other_town_en}: "
                           "check the coordinate system"),
    "sites.outside_allowed": ("坐标 {lng}, {lat}（{crs}）不在任何已加载的镇街内（已允许，不归属镇街）",
                              "the point {lng}, {lat} ({crs}) lies outside every loaded town (allowed; "
                              "stored without a town)"),
    "sites.date_bad": ("日期“{value}”无法识别，请写成 2024-05-01",
                       "'{value}' is not a date; write it as 2024-05-01"),
    "sites.closed_before_opened": ("关闭日期 {closed} 早于开放日期 {opened}",
                                   "closed on {closed}, before it opened on {opened}"),
    "sites.duplicate_near_site": ("疑似重复：与已有站点 #{id}“{name}”同类型，相距 {m} 米（{radius} 米内）",
                                  "likely duplicate: {m} m from existing site #{id} '{name}' of the same "
                                  "type (within {radius} m)"),
    "sites.duplicate_near_row": ("疑似重复：与第 {row} 行“{name}”同类型，相距 {m} 米（{radius} 米内）",
                                 "likely duplicate: {m} m from line {row} '{name}' of the same type "
                                 "(within {radius} m)"),
    "sites.duplicate_name_site": ("疑似重复：与已有站点 #{id}“{name}”同名、同类型，且都在{town}",
                                  "likely duplicate: same name and type as existing site #{id} '{name}', "
                                  "both in {town_en}"),
    "sites.duplicate_name_row": ("疑似重复：与第 {row} 行“{name}”同名、同类型，且都在{town}",
                                 "likely duplicate: same name and type as line {row} '{name}', both in "
                                 "{town_en}"),
    # files
    "sites.file_format": ("不支持的文件类型“{ext}”，可用：{allowed}",
                          "unsupported file type '{ext}'; use one of {allowed}"),
    "sites.file_encoding": ("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV",
                            "cannot read the file's text encoding; save it as a UTF-8 or GBK CSV"),
    "sites.file_empty": ("文件中没有数据行", "the file has no data rows"),
    "sites.file_unreadable": ("无法读取文件：{error}", "cannot read the file: {error}"),
    "sites.sheet_too_large": ("表中有内容的区域一直延伸到单元格 {cell}（{rows} 行 × {columns} 列，超过 {limit:,} 个单元格）："
                              "请删除表格右侧或下方多余的内容，或把表格复制到新工作表后再导入",
                              "the sheet's used area reaches cell {cell} ({rows} rows × {columns} columns, more than "
                              "{limit:,} cells): delete the stray content to the right of or below the table, or "
                              "copy the table to a new sheet, and import again"),
    "sites.sheet_chosen": ("第一个工作表“{first}”中没有表头，已读取工作表“{sheet}”",
                           "the first sheet '{first}' has no header row; read the sheet '{sheet}'"),
    "sites.merged_overlap": ("表中的合并单元格相互重叠（合计超过表格的 {cells} 个单元格），请在 Excel 中取消合并后另存再导入",
                             "the sheet's merged cells overlap (together more than its {cells} cells); unmerge "
                             "them in Excel, save and import again"),
    "sites.column_missing": ("缺少必需的列“{column}”（中文列名：{zh}；英文列名：{en}）",
                             "required column '{column}' is missing (Chinese header: {zh}; English: {en})"),
    "sites.header_not_found": ("前 {rows} 行中没有一行含全部必需的列名；最像表头的是第 {line} 行（{found}）",
                               "none of the first {rows} rows names every required column; the most header-like "
                               "is row {line} ({found})"),
    "sites.title_row_skipped": ("第 {header} 行是表头，跳过其上方的标题行：{text}",
                                "row {header} is the header; skipped the title row above it: {text}"),
    "sites.swapped_fixed": ("已按要求交换本行的经纬度：现为经度 {lng}，纬度 {lat}",
                            "longitude and latitude of this row swapped as asked: now lng {lng}, lat {lat}"),
    "sites.template.prompt_type": ("从列表中选择站点类型", "Pick the site type from the list"),
    "sites.template.prompt_status": ("从列表中选择状态；空白视为开放", "Pick the status from the list; blank means open"),
    "sites.template.error_type": ("类型须为列表中的一项", "The type must be one of the list"),
    "sites.template.error_status": ("状态须为列表中的一项", "The status must be one of the list"),
    "sites.template.notes_sheet": ("填写说明", "How to fill in"),
    "sites.template.note_required": ("必填：名称、类型、经度、纬度；每行一个站点，表头行不要改动。",
                                     "Required: 名称 (name), 类型 (type), 经度 (longitude), 纬度 (latitude); one site "
                                     "a row; keep the header row as it is."),
    "sites.template.note_crs": ("坐标从高德复制为 GCJ-02，从百度复制为 BD-09，GPS 为 WGS84；导入时选择对应坐标系。",
                                "Coordinates copied from Amap are GCJ-02, from Baidu BD-09, from a GPS WGS84; name "
                                "the system when importing."),
    "sites.template.note_dates": ("日期写作 2025-06-30；状态留空视为开放。",
                                  "Dates as 2025-06-30; a blank status means open."),
    "sites.template.note_title": ("表头上方可以加一行标题（如“某镇职工书屋台账”），导入时会跳过并提示。",
                                  "A title row above the header (such as a ledger name) is allowed: the import "
                                  "skips it and says so."),
    "sites.column_ignored": ("未识别的列“{column}”，已忽略", "column '{column}' is not recognised and was ignored"),
    "sites.geometry_not_point": ("几何类型是 {geom}，只接受点（Point）",
                                 "the geometry is a {geom}; only points are accepted"),
    # GeoJSON structure (row = the feature's position, first = 1)
    "sites.geojson.not_json": ("不是有效的 JSON（第 {line} 行第 {column} 列：{reason}）",
                               "not valid JSON (line {line}, column {column}: {reason})"),
    "sites.geojson.encoding": ("无法识别文件编码，请另存为 UTF-8 编码的 GeoJSON",
                               "cannot read the file's text encoding; save the GeoJSON as UTF-8"),
    "sites.geojson.not_collection": (
        "不是 GeoJSON 要素集合：应为含“features”列表的 FeatureCollection 对象，实际是 {found}",
        "not a GeoJSON FeatureCollection: expected an object with a 'features' list, found {found}"),
    "sites.geojson.not_list": ("应为要素列表，实际是 {found}", "expected a list of features, found {found}"),
    "sites.geojson.not_object": ("应为 JSON 对象（{{...}}），实际是 {found}",
                                 "expected a JSON object ({{...}}), found {found}"),
    "sites.geojson.bad_point": ("点坐标应为两个数字 [经度, 纬度]，实际是 {found}",
                                "a point's coordinates must be two numbers [longitude, latitude], found {found}"),
    # the database file
    "sites.db_missing": ("数据库文件 {db} 不存在（或是空文件），未新建任何文件。请检查 SITES_DB 或 --db；"
                         "要新建数据库，请运行 python -m sites init --db {db}",
                         "the database file {db} does not exist (or is empty); nothing was created. Check "
                         "SITES_DB or --db; to make a new database run python -m sites init --db {db}"),
    "sites.db_url": ("“{url}”是数据库网址，但只支持 PostgreSQL（postgresql://…）。"
                     "请把 SITES_DB 或 --db 设为 postgresql:// 网址或 SQLite 数据库文件的路径",
                     "'{url}' is a database URL, but only PostgreSQL (postgresql://…) is supported. Set SITES_DB "
                     "or --db to a postgresql:// URL or to the path of a SQLite database file"),
    "sites.db_pg_unreachable": ("无法连接数据库服务器 {db}：{error}。请检查服务器是否在运行、主机名和端口（SITES_DB 或 --db）",
                                "cannot reach the database server {db}: {error}. Check that the server is running, "
                                "and the host and port (SITES_DB or --db)"),
    "sites.db_pg_auth": ("数据库服务器 {db} 拒绝登录（用户名或密码错误）：{error}",
                         "the database server {db} refused the sign-in (wrong user name or password): {error}"),
    "sites.db_pg_no_database": ("数据库服务器上没有数据库“{name}”（{db}）。请数据库管理员先建库：createdb {name}",
                                "the server has no database '{name}' ({db}). Ask the database administrator to "
                                "make it first: createdb {name}"),
    "sites.db_pg_extension_missing": ("数据库服务器 {db} 未安装 {ext} 扩展，未作任何修改。请在服务器上安装 PostGIS"
                                      "（Debian：apt-get install postgresql-15-postgis-3）",
                                      "the database server {db} has no {ext} extension installed; nothing was changed. "
                                      "Install PostGIS on the server (Debian: apt-get install postgresql-15-postgis-3)"),
    "sites.db_pg_extension_denied": ("数据库 {db} 未启用 {ext} 扩展，本账号也无权启用（{error}），未作任何修改。"
                                     "请数据库管理员运行：CREATE EXTENSION {ext};",
                                     "the database {db} does not have the {ext} extension and this account may not "
                                     "add it ({error}); nothing was changed. Ask the database administrator to run: "
                                     "CREATE EXTENSION {ext};"),
    "sites.copy_done": ("已复制 {tables} 张表共 {rows} 行到 {db}（一个事务，逐表核对行数）",
                        "copied {tables} tables, {rows} rows in all, to {db} (one transaction, row counts checked)"),
    "sites.copy_target_not_empty": ("目标数据库 {db} 已有数据表，未作任何修改：复制只写入新的空数据库",
                                    "the target database {db} already has tables; nothing was changed: a copy "
                                    "only goes into a new, empty database"),
    "sites.copy_versions": ("数据库 {db} 的组成部分（{components}）与本程序的版本不一致，未复制。"
                            "请先用本程序打开它（自动升级），或升级程序",
                            "the database {db} has parts ({components}) at another version than this program; "
                            "nothing was copied. Open it with this program first (it upgrades), or upgrade"),
    "sites.copy_count_mismatch": ("复制到 {db} 后行数不符（{tables}），已全部撤销",
                                  "row counts differ after copying to {db} ({tables}); everything was undone"),
    "sites.db_not_sqlite": ("{db} 不是 SQLite 数据库文件（可能是文本文件、文件夹或其他文件），未作任何修改。"
                            "请检查 SITES_DB 或 --db",
                            "{db} is not a SQLite database file (a text file, a folder or something else); "
                            "it was left untouched. Check SITES_DB or --db"),
    "sites.db_corrupt": ("数据库 {db} 已损坏，无法读取（{error}），未作任何修改。请从备份恢复",
                         "the database {db} is damaged and cannot be read ({error}); it was left untouched. "
                         "Restore it from a backup"),
    "sites.db_foreign": ("{db} 是其他程序的 SQLite 数据库（表：{tables}），不是本系统的站点数据库，"
                         "未作任何修改。请检查 SITES_DB 或 --db",
                         "{db} is another program's SQLite database (tables: {tables}), not a site registry; "
                         "it was left untouched. Check SITES_DB or --db"),
    "sites.db_read_only": ("数据库 {db} 只能读不能写（文件或所在文件夹没有写权限）。请给予写权限后重试",
                           "the database {db} cannot be written (the file or its folder is read-only). "
                           "Make both writable and try again"),
    "sites.db_unusable": ("无法打开数据库 {db}：{error}", "cannot open the database {db}: {error}"),
    "sites.db_created": ("已新建数据库：{db}", "created a new database: {db}"),
    "sites.db_exists": ("数据库已存在：{db}（区域 {region}），未作修改",
                        "the database already exists: {db} (region {region}); nothing was changed"),
    # storage
    "sites.not_found": ("没有编号为 {id} 的站点", "there is no site with id {id}"),
    "sites.no_changes": ("没有要修改的字段", "nothing to change"),
    "sites.already_closed": ("站点 #{id} 已经是关闭状态", "site #{id} is already closed"),
    "sites.stale": ("未保存：站点 #{id} 在您载入的第 {expected} 版之后已被修改（现为第 {current} 版），"
                    "本次修改没有写入。请重新载入当前内容后再改",
                    "not saved: site #{id} was changed after version {expected}, which "
                    "you loaded (it is now at version {current}); nothing was written. Reload its "
                    "current values and edit again"),
    # what changed since a stale version (sites and targets), read from the audit trail
    "stale.create": ("第 {version} 版：{actor} 于 {at} 创建", "version {version}: created by {actor} at {at}"),
    "stale.update": ("第 {version} 版：{actor} 于 {at} 修改了 {fields}",
                     "version {version}: {actor} changed {fields_en} at {at}"),
    "stale.close": ("第 {version} 版：{actor} 于 {at} 关闭了站点（修改了 {fields}）",
                    "version {version}: {actor} closed the site at {at} (changed {fields_en})"),
    # the fields a stale version's writer changed, by name (database.audit.stale_edit)
    "stale.field.name": ("名称", "name"),
    "stale.field.type": ("类型", "type"),
    "stale.field.status": ("状态", "status"),
    "stale.field.lng": ("经度", "longitude"),
    "stale.field.lat": ("纬度", "latitude"),
    "stale.field.town_code": ("所在镇街", "town"),
    "stale.field.address": ("地址", "address"),
    "stale.field.host_org": ("依托单位", "host organisation"),
    "stale.field.opened_on": ("开放日期", "opening date"),
    "stale.field.closed_on": ("关闭日期", "closing date"),
    "stale.field.notes": ("备注", "notes"),
    "stale.field.source": ("数据来源", "source"),
    "stale.field.site_type": ("阵地类型", "site type"),
    "stale.field.scope": ("范围", "scope"),
    "stale.field.measure": ("指标", "measure"),
    "stale.field.threshold": ("目标值", "threshold"),
    "stale.field.deadline": ("截止日期", "deadline"),
    "stale.field.towns": ("镇街", "towns"),
    "stale.field.radius_m": ("服务半径", "radius"),
    "stale.field.statuses": ("计入的站点状态", "statuses that count"),
    "stale.field.new_since": ("新建起始日期", "new since"),
    "stale.field.demand_layer": ("需求图层", "demand layer"),
    "stale.delete": ("{actor} 于 {at} 删除了该记录", "{actor} deleted it at {at}"),
    "sites.region_mismatch": (
        "数据库 {db} 使用的区域是 {stored}，与本次指定的 {given} 不同。一个数据库只对应一个区域："
        "请去掉 --boundaries，或用 set-region 命令更换数据库的区域",
        "the database {db} uses the region {stored}, not the {given} given now. A database keeps one "
        "region: drop --boundaries, or change the database's region with the set-region command",
    ),
    "sites.site_outside_region": ("站点 #{id}“{name}”不在区域 {region} 的任何镇街内",
                                  "site #{id} '{name}' lies outside every town of the region {region}"),
    "sites.schema_newer": ("数据库 {db} 的结构版本（{component} {found}）比本程序支持的（{known}）新，请升级程序",
                           "the database {db} has schema {component} version {found}, newer than this "
                           "program knows ({known}); upgrade the program"),
    "sites.import_rejected": ("导入被拒绝：{bad} 行有误，未写入任何数据（共 {total} 行）",
                              "import rejected: {bad} of {total} rows are invalid; nothing was written"),
    # CLI reports
    "sites.cli.template": ("导入模板已写入 {path}（中文表头，类型和状态为下拉选项）",
                           "import template written to {path} (Chinese headers, type and status dropdowns)"),
    "sites.cli.imported": ("已导入 {written} 行，拒绝 {rejected} 行", "imported {written} rows, rejected {rejected}"),
    "sites.cli.warning": ("警告", "warning"),
    "sites.cli.saved": ("已保存站点 #{id}“{name}”（{town}）", "saved site #{id} '{name}' ({town})"),
    "sites.cli.closed": ("已关闭站点 #{id}“{name}”", "closed site #{id} '{name}'"),
    "sites.cli.deleted": ("已删除站点 #{id}“{name}”（历史记录保留）",
                          "deleted site #{id} '{name}' (its history is kept)"),
    "sites.cli.exported": ("已导出 {count} 个站点到 {path}", "exported {count} sites to {path}"),
    "sites.cli.region_set": ("数据库区域已设为 {region}，{changed} 个站点的镇街已更新",
                             "the database's region is now {region}; {changed} sites changed town"),
    "sites.region.bundled": ("内置的南海区镇街", "bundled Nanhai towns (bundled:nanhai)"),
    "sites.cli.file_not_found": ("文件不存在：{path}", "file not found: {path}"),

}
