"""Sign-in, sign-out and the session."""

MESSAGES: dict[str, tuple[str, str]] = {
    "ui.page.admin": ("账户管理", "Accounts"),
    "ui.auth.title": ("登录", "Sign in"),
    "ui.auth.username": ("用户名", "User name"),
    "ui.auth.password": ("密码", "Password"),
    "ui.auth.submit": ("登录", "Sign in"),
    "ui.auth.sign_out": ("退出登录", "Sign out"),
    "ui.auth.who": ("已登录：{user}（{role}）", "Signed in: {user} ({role})"),
    "ui.auth.no_accounts": ("尚无账户。请在服务器上创建第一个管理员：python -m sites user add 用户名 --role admin",
                            "No accounts yet. Create the first admin on the server: "
                            "python -m sites user add NAME --role admin"),
    "ui.role.viewer": ("查看者", "viewer"),
    "ui.role.editor": ("编辑者", "editor"),
    "ui.role.admin": ("管理员", "admin"),
    "ui.auth.read_only": ("您的账户只有查看权限。", "Your account may only view."),

}
