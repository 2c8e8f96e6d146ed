"""Entry point: `streamlit run app/streamlit_app.py`.

Sets up the page, shows which build is being served (and a banner if its data are synthetic), then runs the
page chosen through `st.navigation`. Pages are listed in `app/navigation.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script by Streamlit: make `import app` work without installing
    _root = str(Path(__file__).resolve().parent.parent)
    if _root not in sys.path:
        sys.path.insert(0, _root)

import streamlit as st  # noqa: E402

from app import layout, navigation  # noqa: E402


def main() -> None:
    layout.page_config()
    page = st.navigation(navigation.build())
    info = layout.build_info_or_none()
    layout.sidebar_build(info)
    layout.synthetic_banner(info)
    page.run()


main()
