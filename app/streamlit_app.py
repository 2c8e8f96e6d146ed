"""Entry point: `streamlit run app/streamlit_app.py`.

Sign-in comes first (`app/auth.py`): signed out, only the sign-in screen renders and nothing reads the
warehouse. Signed in, navigation lists the role's pages (`app/roles.csv` through `app/navigation.py`; the rest
are registered hidden so that asking for one by address is refused and logged), the chosen page is checked
again and its view logged, then the served build is shown (with a banner if its data are synthetic) and the
page runs.

Each run reads one build (`app/data.py`, "Readers during builds"): `data.begin_run()` starts the run, and if a
build is swapped in after the run's first query, the run stops with `data.BuildChanged` and starts again on the
new build (at most `BUILD_CHANGED_RERUNS` times in a row, then the polite "being updated" message).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script by Streamlit: make `import app` work without installing
    _root = str(Path(__file__).resolve().parent.parent)
    if _root not in sys.path:
        sys.path.insert(0, _root)

import streamlit as st  # noqa: E402

from app import auth, data, layout, navigation  # noqa: E402

BUILD_CHANGED_RERUNS = 3
RERUNS_KEY = "csqa_build_changed_reruns"


def main() -> None:
    layout.page_config()
    data.begin_run()  # this run reads one build: the one its first query finds
    user = auth.gate()  # stops the script unless someone is signed in
    allowed = navigation.for_role(user["role"])
    if not allowed:
        auth.log("refused", user=user, detail={"reason": "role_has_no_pages"})
        st.error("Your role has no pages on this dashboard: ask its administrator.", icon=":material/block:")
        st.stop()
    hidden = tuple(spec for spec in navigation.PAGES if spec not in allowed)
    page = st.navigation(navigation.build(allowed, hidden=hidden))
    spec = navigation.spec_for(page)
    url_path = spec.url_path if spec else page.url_path
    auth.require_page(url_path)  # a hidden page asked for by address stops here, before it runs
    auth.page_view(url_path, st.query_params.to_dict())
    try:
        info = layout.build_info_or_none()
        layout.sidebar_build(info)
        layout.synthetic_banner(info)
        page.run()
    except data.BuildChanged as exc:
        build_changed(exc)
        return
    st.session_state.pop(RERUNS_KEY, None)
    auth.page_shown(url_path, st.query_params.to_dict())


def build_changed(exc: data.BuildChanged) -> None:
    """A new build arrived while the page was being drawn: draw it all again on the new build, or, if builds
    keep arriving, say so politely (the next interaction tries again)."""
    reruns = st.session_state.get(RERUNS_KEY, 0)
    if reruns < BUILD_CHANGED_RERUNS:
        st.session_state[RERUNS_KEY] = reruns + 1
        st.rerun()
    st.session_state.pop(RERUNS_KEY, None)
    layout.warehouse_unavailable(
        data.WarehouseUnavailable("unreadable", exc.path, "new builds kept arriving while the page was drawn")
    )


try:
    main()
finally:
    data.end_run()  # the run's connection to the warehouse is never held between runs
