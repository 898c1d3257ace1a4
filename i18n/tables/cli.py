"""The command lines (``python -m sites|scoring|geodata``): texts shared by every command."""

MESSAGES: dict[str, tuple[str, str]] = {
}
