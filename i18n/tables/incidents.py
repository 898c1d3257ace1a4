"""Unexpected errors: what the user sees and where the log is."""

MESSAGES: dict[str, tuple[str, str]] = {
    "incident.message": ("内部错误，编号 {id}，详情已记录在 {path}", "Internal error, id {id}, details logged in {path}"),
    "incident.message_unlogged": ("内部错误，编号 {id}（无法写入日志文件：{reason}）",
                                  "Internal error, id {id} (the log file could not be written: {reason})"),
    "input.not_found": ("文件不存在", "file not found"),
    "input.is_directory": ("这是一个文件夹，不是文件", "it is a folder, not a file"),
    "input.no_permission": ("没有读取（或写入）该文件的权限", "no permission to read (or write) it"),
    "input.os_error": ("无法打开：{reason}", "cannot open it: {reason}"),
    "input.encoding": ("文字编码无法识别，请另存为 UTF-8 编码", "its text encoding is not recognised; save it as UTF-8"),
    "input.bad_zip": ("文件已损坏，或不是它的扩展名所说的格式（如 .xlsx 不是真正的 Excel 文件）",
                      "the file is damaged, or not the format its extension says (e.g. an .xlsx that is "
                      "not a real Excel workbook)"),
    "input.malformed": ("内容无法读取：{reason}", "its content cannot be read: {reason}"),
    "input.settings": ("设置有误（环境变量 SITES_… 或 .env）：{reason}",
                       "a setting is wrong (environment variable SITES_… or .env): {reason}"),

}
