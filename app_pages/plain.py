"""Showing user text (site names, addresses, file contents) as text, never as markup.

Streamlit's ``st.success``/``st.error``/``st.caption`` render Markdown; a site
named ``<img src=x onerror=alert(1)>`` or ``**x**`` must still read as typed.
"""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'])")
#: Where GitHub-flavoured Markdown makes a link of plain text (``http://``, ``www.``, ``a@b.cn``), even escaped.
_AUTOLINK = re.compile(r"(://|(?i:www)(?=\.)|@)")
#: U+2060 WORD JOINER: invisible, breaks the autolink pattern so the address stays text.
_JOINER = "\u2060"


def md_escape(text: object) -> str:
    """``text`` with every Markdown/HTML-significant character backslash-escaped (CommonMark), and an invisible
    word joiner in each web or mail address (Streamlit's GFM links ``http://…``, ``www.…`` and ``a@b.cn``
    in text even when every character is escaped)."""
    text = _AUTOLINK.sub(lambda m: m.group(1)[0] + _JOINER + m.group(1)[1:], str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", " ")
