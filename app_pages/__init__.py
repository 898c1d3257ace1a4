"""The Streamlit pages of the app (the only package besides ``app.py`` that imports streamlit).

Each page is a script run by ``st.navigation`` from ``app.py``; shared UI text
is in :mod:`app_pages.ui_text` and cached loaders in :mod:`app_pages.loaders`.
"""
