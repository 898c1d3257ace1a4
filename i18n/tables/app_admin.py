"""The accounts page (admins in shared mode)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "ui.admin.accounts": ("账户", "Accounts"),
    "ui.admin.only": ("只有管理员可以管理账户", "Only administrators manage accounts"),
    "ui.admin.col.user": ("用户名", "User"),
    "ui.admin.col.role": ("角色", "Role"),
    "ui.admin.col.towns": ("授权{Units}", "{Units} granted"),
    "ui.admin.col.state": ("状态", "State"),
    "ui.admin.add": ("新建账户", "New account"),
    "ui.admin.password": ("初始密码（至少 10 个字符）", "Initial password (10 characters or more)"),
    "ui.admin.create": ("创建", "Create"),
    "ui.admin.edit": ("修改账户", "Change an account"),
    "ui.admin.pick": ("账户", "Account"),
    "ui.admin.save": ("保存角色和镇街", "Save role and towns"),
    "ui.admin.disable": ("停用", "Disable"),
    "ui.admin.enable": ("启用", "Enable"),
    "ui.admin.unlock": ("解锁", "Unlock"),
    "ui.admin.done": ("已保存账户“{user}”", "Saved the account '{user}'"),
    "ui.admin.log": ("安全日志（最新在前）", "Security log (newest first)"),
    "ui.admin.col.at": ("时间（UTC）", "When (UTC)"),
    "ui.admin.col.action": ("操作", "Action"),
    "ui.admin.col.target": ("对象", "Target"),
    "ui.admin.col.outcome": ("结果", "Outcome"),
    "ui.admin.col.detail": ("说明", "Detail"),

}
