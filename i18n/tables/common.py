"""Texts every room shares: where a problem is (file, row, field) and separators."""

MESSAGES: dict[str, tuple[str, str]] = {
    "where.file": ("文件 {file}", "file {file}"),
    "where.row": ("第 {row} 行", "line {row}"),
    "where.field": ("字段“{field}”", "field '{field}'"),
    "sep": ("：", ": "),
    "list_sep": ("；", "; "),

}
