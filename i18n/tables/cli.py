"""The command lines (``python -m sites|scoring|geodata``): texts shared by every command."""

MESSAGES: dict[str, tuple[str, str]] = {
    "cli.import.skip_hint": ("另有 {n} 行没有错误：加上 --skip-invalid 即可只导入这 {n} 行；或按上列各行改正后重新导入",
                             "{n} rows have no error: add --skip-invalid to import just those {n} rows, or correct "
                             "the rows listed and import the file again"),
    "cli.import.none_valid": ("没有一行可以导入：请按上列各行改正后重新导入",
                              "no row can be imported: correct the rows listed and import the file again"),
}
