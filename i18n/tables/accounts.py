"""Accounts, permissions, sign-in, uploads and the security log."""

MESSAGES: dict[str, tuple[str, str]] = {
    # permissions
    "access.read_only": ("账户“{user}”只有查看权限，不能修改数据",
                         "the account '{user}' may only view; it cannot change anything"),
    "access.town_not_granted": ("账户“{user}”无权修改{town}（{code}）的站点（已授权镇街：{granted}）",
                                "the account '{user}' may not change sites in {town_en} ({code}); "
                                "towns granted: {granted_en}"),
    "access.no_town": ("账户“{user}”无权修改不属于任何镇街的站点（只有管理员可以）",
                       "the account '{user}' may not change a site outside every town (admins only)"),
    "access.admin_only": ("只有管理员可以{action}，账户“{user}”不是管理员",
                          "only an administrator may {action_en}; '{user}' is not one"),
    # what only an admin may do, named in access.admin_only (accounts.permissions.admin_only)
    "access.action.target.add": ("新增目标", "add a target"),
    "access.action.target.update": ("修改目标", "change a target"),
    "access.action.target.delete": ("删除目标", "delete a target"),
    "access.action.target.import": ("导入目标", "import targets"),
    "access.action.target_import": ("上传目标表", "upload a target sheet"),
    "access.action.set_region": ("更换区域", "switch the region"),
    "access.action.region_preview": ("上传边界文件", "upload a boundary file"),
    "access.action.set_network": ("载入路网", "load a street network"),
    "access.action.network_upload": ("上传路网文件", "upload a street network file"),
    "access.action.delete_network": ("删除路网", "delete a street network"),
    "access.action.demand_add": ("添加需求图层", "add a demand layer"),
    "access.action.demand_upload": ("上传需求图层文件", "upload a demand layer file"),
    "access.action.demand_delete": ("删除需求图层", "delete a demand layer"),
    "access.action.account.add": ("新建账户", "create an account"),
    "access.action.account.grant": ("授权镇街", "grant towns"),
    "access.action.account.revoke": ("收回镇街授权", "take towns away"),
    "access.action.account.role": ("更改账户角色", "change an account's role"),
    "access.action.account.password": ("更改他人密码", "set an account's password"),
    "access.action.account.disable": ("停用账户", "disable an account"),
    "access.action.account.enable": ("启用账户", "enable an account"),
    "access.action.account.unlock": ("解锁账户", "unlock an account"),
    "access.action.account.list": ("查看账户列表", "list the accounts"),
    "access.action.account.log": ("查看安全日志", "read the security log"),
    "access.action.copy": ("复制整个登记库", "copy the whole registry"),
    "access.action.import_preview": ("上传导入文件", "upload a file to import"),
    "access.sign_in_required": ("本系统为共享部署，请先登录", "this is a shared installation: sign in first"),
    "access.account_gone": ("账户“{user}”不存在或已停用", "the account '{user}' does not exist or is disabled"),
    "access.local_mode_has_accounts": (
        "数据库 {db} 设有账户（共享部署），本地模式（SITES_MODE=local）不能修改它。请登录后再写：设置 "
        "SITES_MODE=shared，命令行加 --user 账户名（密码取自 SITES_PASSWORD 或标准输入），应用则以 "
        "SITES_MODE=shared 启动后登录",
        "the database {db} has accounts (a shared deployment): local mode (SITES_MODE=local) may not change "
        "it. Sign in to write: set SITES_MODE=shared and give --user NAME on the command line (password from "
        "SITES_PASSWORD or standard input), or start the app with SITES_MODE=shared and sign in"),
    "access.bad_credentials": ("用户名或密码错误", "wrong user name or password"),
    "access.locked": ("密码错误次数过多，账户已锁定至 {until}；请稍后再试或请管理员解锁",
                      "too many wrong passwords: the account is locked until {until}; try later or ask "
                      "an administrator to unlock it"),
    "access.disabled": ("账户“{user}”已停用，请联系管理员", "the account '{user}' is disabled; ask an administrator"),
    "access.session_expired": ("登录已过期，请重新登录", "your session has ended; sign in again"),
    # accounts
    "account.username_bad": ("用户名不能为空、不能含空格或控制字符，最长 {max} 个字符",
                             "a user name must be 1 to {max} characters without spaces or control characters"),
    "account.exists": ("账户“{user}”已存在", "the account '{user}' already exists"),
    "account.not_found": ("没有账户“{user}”", "there is no account '{user}'"),
    "account.role_unknown": ("未知的角色“{value}”，应为：{allowed}",
                             "unknown role '{value}'; expected one of {allowed}"),
    "account.password_short": ("密码至少需要 {min} 个字符", "a password needs at least {min} characters"),
    "account.town_unknown": ("“{code}”不是本区域的镇街代码（可用：{known}）",
                             "'{code}' is not a town code of this region (known: {known})"),
    "account.last_admin": ("“{user}”是最后一个可用的管理员，不能停用或降级",
                           "'{user}' is the last enabled administrator and cannot be disabled or demoted"),
    "account.password_mismatch": ("两次输入的密码不一致", "the two passwords differ"),
    "account.state.active": ("正常", "active"),
    "account.state.locked": ("已锁定", "locked"),
    "account.state.disabled": ("已停用", "disabled"),
    "account.cli.saved": ("账户“{user}”：角色 {role}，镇街 {towns}，{state}",
                          "account '{user}': role {role}, towns {towns}, {state}"),
    "account.cli.password_prompt": ("密码：", "Password: "),
    "account.cli.new_password": ("新密码：", "New password: "),
    "account.cli.new_password_again": ("再次输入新密码：", "New password again: "),
    # uploads
    "upload.empty": ("上传的文件“{name}”是空的", "the uploaded file '{name}' is empty"),
    "upload.too_large": ("文件“{name}”有 {mb:.1f} MB，超过上限 {limit:.0f} MB",
                         "the file '{name}' is {mb:.1f} MB, over the limit of {limit:.0f} MB"),
    "upload.kind_unknown": ("无法识别文件“{name}”的内容：它不是{allowed}（按内容判断，与文件扩展名无关）",
                            "cannot recognise the content of '{name}': it is not {allowed_en} (judged by "
                            "its content, not its name)"),
    "upload.kind_not_allowed": ("文件“{name}”的内容是{kind}，此处只接受{allowed}",
                                "the file '{name}' holds {kind_en}; only {allowed_en} is accepted here"),
    "upload.zip_bad": ("压缩文件“{name}”已损坏或无法读取", "the zip file '{name}' is damaged or unreadable"),
    "upload.zip_unsafe_path": ("压缩文件“{name}”中的“{member}”路径不安全（绝对路径或含“..”），已拒绝",
                               "the zip file '{name}' holds '{member}', an unsafe path (absolute or with "
                               "'..'); refused"),
    "upload.zip_too_many": ("压缩文件“{name}”包含 {count} 个文件，超过上限 {limit} 个",
                            "the zip file '{name}' holds {count} files, over the limit of {limit}"),
    "upload.zip_too_large": ("压缩文件“{name}”解压后有 {mb:.1f} MB，超过上限 {limit:.0f} MB",
                             "the zip file '{name}' unpacks to {mb:.1f} MB, over the limit of {limit:.0f} MB"),
    "upload.zip_ratio": ("压缩文件“{name}”中的“{member}”压缩比 {ratio:.0f}:1 异常（疑似压缩炸弹），已拒绝",
                         "'{member}' in the zip file '{name}' is compressed {ratio:.0f}:1, far beyond real "
                         "data (a zip bomb?); refused"),
    "upload.zip_nested": ("压缩文件“{name}”中包含加密或链接文件“{member}”，已拒绝",
                          "the zip file '{name}' holds an encrypted or linked member '{member}'; refused"),
    "upload.xml_dtd": ("Excel 文件“{name}”中的“{member}”含有 DTD/实体声明（正常的 Excel 文件没有），已拒绝",
                       "'{member}' in the Excel file '{name}' declares a DTD or entities (real Excel files "
                       "never do); refused"),
    "upload.xml_bad": ("Excel 文件“{name}”中的“{member}”不是有效的 XML", "'{member}' in the Excel file '{name}' "
                       "is not valid XML"),

}
