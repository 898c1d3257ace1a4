"""Showing user text (site names, addresses, file contents) as text, never as markup.

Streamlit's ``st.success``/``st.error``/``st.caption`` render Markdown; a site
named ``<img src=x onerror=alert(1)>`` or ``**x**`` must still read as typed.
"""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'])")


def md_escape(text: object) -> str:
    """``text`` with every Markdown/HTML-significant character backslash-escaped (CommonMark)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")
