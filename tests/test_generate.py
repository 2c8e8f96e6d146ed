"""The synthetic data generator (`ingest.generate`): determinism, layout, 903 rules, realistic volumes, and the
children in need files (Annex A workbooks, CIN census, teams) drawn from the same children."""

from __future__ import annotations

import functools
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from ingest.generate import collection_years, default_end, generate
from ingest.synthetic.codes import place_valid
from ingest.synthetic.las import choose_las
from ingest.synthetic.writer import COLUMNS

END = date(2026, 3, 31)
YEARS = ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25", "2025-26"]
# Annex A workbooks: as at each month end from April 2025 to March 2026
AS_AT = [
    date(2025, 4, 30), date(2025, 5, 31), date(2025, 6, 30), date(2025, 7, 31), date(2025, 8, 31),
    date(2025, 9, 30), date(2025, 10, 31), date(2025, 11, 30), date(2025, 12, 31), date(2026, 1, 31),
    date(2026, 2, 28), date(2026, 3, 31),
]  # fmt: skip
SHORT_BREAKS = ("V3", "V4")
DATE_COLS = {
    "header": ["DOB", "MC_DOB"],
    "episodes": ["DECOM", "DEC"],
    "reviews": ["DOB", "REVIEW"],
    "missing": ["DOB", "MIS_START", "MIS_END"],
    "oc3": ["DOB"],
}
DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
POSTCODE_RE = re.compile(r"^[A-Z]{2}\d{1,2} \d[A-Z]{2}$")


PROGRESS: list[str] = []


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    summary = generate(out, las=2, years=6, seed=42, end=END, progress=PROGRESS.append)
    return out, summary


@pytest.fixture(scope="module")
def in_year(tmp_path_factory):
    out = tmp_path_factory.mktemp("inyear")
    summary = generate(out, las=1, years=2, seed=42, end=date(2026, 10, 31))
    return out, summary


def read(root: Path, la: str, year: str, table: str) -> pl.DataFrame:
    return pl.read_csv(root / "ssda903" / la / year / f"{table}.csv", infer_schema_length=0)


def parse_dates(df: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    return df.with_columns(pl.col(c).str.strptime(pl.Date, "%d/%m/%Y", strict=True) for c in cols if c in df.columns)


def episodes(root: Path, la: str, year: str) -> pl.DataFrame:
    return parse_dates(read(root, la, year, "episodes"), ["DECOM", "DEC"])


def year_bounds(label: str) -> tuple[date, date]:
    y = int(label[:4])
    return date(y, 4, 1), date(y + 1, 3, 31)


def all_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------------------------------------


def test_default_end_and_collection_years():
    assert default_end(date(2026, 11, 26)) == date(2026, 3, 31)
    assert default_end(date(2026, 3, 31)) == date(2026, 3, 31)
    assert default_end(date(2026, 3, 30)) == date(2025, 3, 31)
    assert collection_years(date(2026, 3, 31), 6) == [2021, 2022, 2023, 2024, 2025, 2026]
    assert collection_years(date(2026, 10, 31), 2) == [2026, 2027]


def test_la_order():
    assert choose_las(1, None) == ["845"]
    three = choose_las(3, None)
    assert three[0] == "845" and len(set(three)) == 3
    assert choose_las(1, ["202"]) == ["202"]
    assert choose_las(2, ["202"])[0] == "202"
    assert len(choose_las(152, None)) == 152
    with pytest.raises(ValueError):
        choose_las(1, ["999"])


def test_summary_and_manifest(gen):
    out, s = gen
    assert s.la_codes == ["845", "878"]
    assert s.collection_years == YEARS
    assert s.end == END
    written = [p for p in out.rglob("*") if p.is_file()]
    # per LA: 6 years x 5 SSDA903 tables, 12 Annex A workbooks, 6 CIN census files, 24 HR months x 2 files,
    # 6 CSWW censuses (30 September 2020 to 2025), 1 complaints register, 1 QA activity log and 2 audit files
    # (audits, actions); then 3 reference files and the manifest
    assert s.files == len(written) == 2 * (6 * 5 + 12 + 6 + 24 * 2 + 6 + 1 + 1 + 2) + 4
    assert s.rows["episodes"] > 0 and s.rows["header"] > 0 and s.rows["postcode_centroids"] > 0
    total_eps = sum(read(out, la, y, "episodes").height for la in s.la_codes for y in YEARS)
    assert s.rows["episodes"] == total_eps
    assert len(PROGRESS) == 3 and PROGRESS[0].startswith("LA 845 East Sussex (1/2)")
    manifest = json.loads((out / "csqa-manifest.json").read_text())
    assert {k: manifest[k] for k in ("synthetic", "generator", "seed", "las", "years", "end")} == {
        "synthetic": True,
        "generator": "csqa generate",
        "seed": 42,
        "las": ["845", "878"],
        "years": 6,
        "end": "2026-03-31",
    }
    assert manifest["annex_a_as_at"] == [a.isoformat() for a in AS_AT]
    assert manifest["collection_years"] == YEARS
    assert manifest["unmapped_teams"] == ["Children with Disabilities Team"]
    assert set(manifest["datasets"]) == {"ssda903", "annex_a", "cin_census", "hr", "csww", "complaints",
                                         "qa_activity", "audits", "reference"}
    assert "reference/org_units.csv" in manifest["datasets"]["reference"]
    assert s.annex_a_as_at == AS_AT
    assert s.files_by_table["annex_a"] == 24 and s.files_by_table["cin_census"] == 12


def test_deterministic(gen, tmp_path):
    out, _ = gen
    again = tmp_path / "again"
    generate(again, las=2, years=6, seed=42, end=END)
    assert all_files(again) == all_files(out)
    other = tmp_path / "other"
    generate(other, las=1, years=1, seed=43, end=END)
    for rel in ("ssda903/845/2025-26/episodes.csv", "cin_census/845/2025-26/cin_census.xml"):
        assert (other / rel).read_bytes() != (out / rel).read_bytes(), rel


def test_la_independent_of_companions(gen, tmp_path):
    """An LA's files depend on (seed, LA), not on which other LAs are generated with it."""
    out, _ = gen
    solo = tmp_path / "solo"
    generate(solo, years=6, seed=42, end=END, la_codes=["878"])
    for y in YEARS:
        for t in COLUMNS:
            rel = f"ssda903/878/{y}/{t}.csv"
            assert (solo / rel).read_bytes() == (out / rel).read_bytes(), rel
        rel = f"cin_census/878/{y}/cin_census.xml"
        assert (solo / rel).read_bytes() == (out / rel).read_bytes(), rel
    for a in AS_AT:
        rel = f"annex_a/878/{a:%Y-%m}/annex_a.xlsx"
        assert (solo / rel).read_bytes() == (out / rel).read_bytes(), rel


def test_layout_and_columns(gen):
    out, s = gen
    for la in s.la_codes:
        assert sorted(p.name for p in (out / "ssda903" / la).iterdir()) == YEARS
        for y in YEARS:
            folder = out / "ssda903" / la / y
            assert sorted(p.name for p in folder.iterdir()) == sorted(f"{t}.csv" for t in COLUMNS)
            for table, cols in COLUMNS.items():
                first = (folder / f"{table}.csv").read_text(encoding="utf-8").splitlines()[0]
                assert first == ",".join(cols), (la, y, table)
    assert (out / "reference/postcode_centroids.csv").read_text().splitlines()[0] == (
        "postcode,postcode_district,la_code,latitude,longitude"
    )
    assert (out / "reference/population.csv").read_text().splitlines()[0] == "area_code,year,age_group,population"


def test_dates_are_ddmmyyyy_and_inside_the_year(gen):
    out, s = gen
    for la in s.la_codes:
        for y in YEARS:
            ys, ye = year_bounds(y)
            for table, cols in DATE_COLS.items():
                df = read(out, la, y, table)
                for c in cols:
                    vals = df[c].drop_nulls()
                    assert vals.str.contains(DATE_RE.pattern).all(), (la, y, table, c)
                    vals.str.strptime(pl.Date, "%d/%m/%Y", strict=True)
            e = episodes(out, la, y)
            assert e["DECOM"].max() <= ye
            assert e.filter(pl.col("DEC").is_not_null())["DEC"].is_between(ys, ye).all()
            rv = parse_dates(read(out, la, y, "reviews"), ["REVIEW"])
            assert rv["REVIEW"].is_between(ys, ye).all()
            ms = parse_dates(read(out, la, y, "missing"), ["MIS_START", "MIS_END"])
            assert ms["MIS_START"].is_between(ys, ye).all()


def test_header_lists_every_child_and_ids_are_stable(gen):
    out, s = gen
    for la in s.la_codes:
        seen: dict[str, tuple] = {}
        for y in YEARS:
            h = read(out, la, y, "header")
            e = read(out, la, y, "episodes")
            assert h["CHILD"].is_unique().all()
            assert set(h["CHILD"]) == set(e["CHILD"])
            assert h["CHILD"].str.contains(r"^\d+$").all()
            assert h["UPN"].str.contains(r"^[A-Z]\d{12}$").all()
            assert set(read(out, la, y, "reviews")["CHILD"]) <= set(h["CHILD"])
            assert set(read(out, la, y, "missing")["CHILD"]) <= set(h["CHILD"])
            for child, dob, eth, upn in h.select("CHILD", "DOB", "ETHNIC", "UPN").iter_rows():
                assert seen.setdefault(child, (dob, eth, upn)) == (dob, eth, upn)


def test_sex_codes_by_year(gen):
    out, _ = gen
    for y in YEARS:
        sexes = set(read(out, "845", y, "header")["SEX"])
        assert sexes == ({"M", "F"} if int(y[:4]) + 1 >= 2025 else {"1", "2"}), y


def test_episode_chains(gen):
    """X1 chains: DEC of one = DECOM of the next; a period starts with S; an open episode is the last."""
    out, s = gen
    for la in s.la_codes:
        for y in YEARS:
            e = episodes(out, la, y).sort("CHILD", "DECOM")
            assert e.select("CHILD", "DECOM").is_unique().all()
            rows = e.select("CHILD", "DECOM", "DEC", "RNE", "REC", "REASON_PLACE_CHANGE").rows()
            for a, b in zip(rows, rows[1:], strict=False):
                if a[0] != b[0]:
                    continue
                assert a[2] is not None, (la, y, a, b)  # only a child's last episode may be open
                if a[4] == "X1":
                    assert b[1] == a[2] and b[3] != "S", (la, y, a, b)
                    assert (a[5] is not None) == (b[3] in ("P", "B", "T", "U")), (la, y, a, b)
                else:
                    assert b[3] == "S" and b[1] > a[2], (la, y, a, b)
            closed = e.filter(pl.col("DEC").is_not_null())
            assert closed["REC"].is_not_null().all()
            assert e.filter(pl.col("DEC").is_null())["REC"].is_null().all()
            assert (closed["DEC"] > closed["DECOM"]).all()


def test_episodes_carried_over(gen):
    """An episode open at 31 March appears in the next year's file with the same DECOM and details."""
    out, s = gen
    keep = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE_PROVIDER", "HOME_POST", "PL_POST"]
    successor = {"R1": {"R1", "K1", "K2"}, "H5": {"H5", "K3"}, "P2": {"P2", "K3"}}
    for la in s.la_codes:
        for y0, y1 in zip(YEARS, YEARS[1:], strict=False):
            a = read(out, la, y0, "episodes").filter(pl.col("DEC").is_null()).select(keep + ["PLACE"])
            b = read(out, la, y1, "episodes").select(keep + ["PLACE"])
            assert a.height > 300 if la == "845" else a.height > 0
            both = a.join(b, on=keep, how="left", nulls_equal=True, suffix="_next")
            assert both["PLACE_next"].is_not_null().all(), both.filter(pl.col("PLACE_next").is_null())
            for p0, p1 in both.select("PLACE", "PLACE_next").iter_rows():
                assert p1 in successor.get(p0, {p0}), (p0, p1)
            # and nothing in the new year starts before it unless it was open on 1 April
            ys, _ = year_bounds(y1)
            old = episodes(out, la, y1).filter(pl.col("DECOM") < ys)
            assert old.height == a.height


def test_ages_and_legal_rules(gen):
    out, s = gen
    for la in s.la_codes:
        for y in YEARS:
            e = episodes(out, la, y).join(parse_dates(read(out, la, y, "header"), ["DOB"]), on="CHILD")
            age_at_start = (pl.col("DECOM") - pl.col("DOB")).dt.total_days() / 365.25
            assert e.select(age_at_start.min()).item() >= 0
            assert e.select(age_at_start.max()).item() < 18
            ends = e.filter(pl.col("DEC").is_not_null())
            assert ends.select(((pl.col("DEC") - pl.col("DOB")).dt.total_days() / 365.25).max()).item() <= 18.01
            assert e.filter(pl.col("PLACE").is_in(["A5", "A6"]))["LS"].eq("E1").all()
            assert e.filter(pl.col("PLACE") == "P1")["PLACE_PROVIDER"].eq("PR0").all()
            assert e.filter(pl.col("PLACE_PROVIDER") == "PR0")["PLACE"].eq("P1").all()
            assert (
                e.filter(pl.col("PLACE").is_in(["U4", "U5", "U6"]))["PLACE_PROVIDER"].is_in(["PR1", "PR4", "PR5"]).all()
            )
            assert e["LS"].is_in(["C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"]).all()
            assert e["RNE"].is_in(["S", "L", "P", "T", "B", "U"]).all()


def test_placement_codes_valid_for_their_year(gen):
    """Every row carries a code valid for its year: a placement open across a changeover keeps its DECOM and is
    written with the old code before and the new code from the changeover year (R1 -> K2, H5/P2 -> K3)."""
    out, s = gen
    for la in s.la_codes:
        for y in YEARS:
            cy = int(y[:4]) + 1
            e = episodes(out, la, y)
            ok = e["PLACE"].map_elements(lambda p, cy=cy: place_valid(p, cy), return_dtype=pl.Boolean)
            assert ok.all(), e.filter(~ok)
    e24 = episodes(out, "845", "2023-24")
    assert e24.filter(pl.col("PLACE").is_in(["H5", "P2"])).height > 0
    assert e24.filter(pl.col("PLACE") == "K2").height > 0
    assert episodes(out, "845", "2022-23").filter(pl.col("PLACE") == "R1").height > 0
    e25 = episodes(out, "845", "2024-25")
    assert e25.filter(pl.col("PLACE").is_in(["H5", "P2", "R1"])).height == 0
    assert e25.filter(pl.col("PLACE") == "K3").height > 0
    carried = e24.filter(pl.col("DEC").is_null() & pl.col("PLACE").is_in(["H5", "P2"])).select("CHILD", "DECOM")
    assert carried.height > 0
    assert e25.join(carried, on=["CHILD", "DECOM"])["PLACE"].eq("K3").all()


def _complete_year_figures(root: Path, la: str, y: str) -> dict:
    ys, ye = year_bounds(y)
    e = episodes(root, la, y).filter(~pl.col("LS").is_in(SHORT_BREAKS))
    at = e.filter((pl.col("DECOM") <= ye) & (pl.col("DEC").is_null() | (pl.col("DEC") > ye)))
    starts = e.filter((pl.col("RNE") == "S") & (pl.col("DECOM") >= ys)).height
    ceased = e.filter(pl.col("DEC").is_not_null() & (pl.col("REC") != "X1")).height
    placements = (
        e.filter(pl.col("CHILD").is_in(at["CHILD"].implode()))
        .group_by("CHILD")
        .agg(
            (
                (pl.col("RNE").is_in(["S", "P", "B", "T", "U"]) & (pl.col("DECOM") >= ys)).sum()
                + (pl.col("DECOM").min() < ys).cast(pl.UInt32)
            ).alias("n")
        )
    )
    return {
        "cla": at.height,
        "starts": starts,
        "ceased": ceased,
        "three_plus": placements.filter(pl.col("n") >= 3).height / at.height,
        "at": at,
    }


def test_demo_la_volumes(gen):
    out, _ = gen
    for y in YEARS:
        f = _complete_year_figures(out, "845", y)
        assert 600 <= f["cla"] <= 780, (y, f["cla"])
        assert 200 <= f["starts"] <= 300, (y, f["starts"])
        assert 180 <= f["ceased"] <= 280, (y, f["ceased"])
        assert 0.06 <= f["three_plus"] <= 0.20, (y, f["three_plus"])
        assert f["at"]["CHILD"].is_unique().all()


def test_demo_la_placement_mix(gen):
    out, _ = gen
    at = _complete_year_figures(out, "845", "2024-25")["at"]
    n = at.height
    share = {
        "foster_la": at.filter(pl.col("PLACE").is_in(["U4", "U5", "U6"]) & (pl.col("PLACE_PROVIDER") == "PR1")).height,
        "foster_ifa": at.filter(
            pl.col("PLACE").is_in(["U4", "U5", "U6"]) & pl.col("PLACE_PROVIDER").is_in(["PR4", "PR5"])
        ).height,
        "kinship": at.filter(pl.col("PLACE").is_in(["U1", "U2", "U3"])).height,
        "residential": at.filter(pl.col("PLACE").is_in(["K2", "R1"])).height,
        "parents": at.filter(pl.col("PLACE") == "P1").height,
        "supported": at.filter(pl.col("PLACE").is_in(["K3", "H5", "P2"])).height,
        "adoption": at.filter(pl.col("PLACE").is_in(["A3", "A4", "A5", "A6"])).height,
    }
    share = {k: v / n for k, v in share.items()}
    assert 0.30 <= share["foster_la"] <= 0.48, share
    assert 0.12 <= share["foster_ifa"] <= 0.25, share
    assert 0.07 <= share["kinship"] <= 0.18, share
    assert 0.06 <= share["residential"] <= 0.16, share
    assert 0.02 <= share["parents"] <= 0.09, share
    assert 0.02 <= share["supported"] <= 0.10, share
    assert 0.01 <= share["adoption"] <= 0.06, share
    ls = at["LS"].value_counts()
    c2 = ls.filter(pl.col("LS") == "C2")["count"].sum() / n
    assert 0.55 <= c2 <= 0.8
    k2 = at.filter(pl.col("PLACE") == "K2")
    assert k2.filter(pl.col("PLACE_PROVIDER") == "PR4").height / k2.height > 0.5


def test_postcodes(gen):
    out, s = gen
    ref = pl.read_csv(out / "reference/postcode_centroids.csv", infer_schema_length=0)
    assert ref["postcode"].is_unique().all()
    known = set(ref["postcode"])
    assert ref["postcode"].str.contains(POSTCODE_RE.pattern).all()
    assert (ref["postcode"].str.split(" ").list.first() == ref["postcode_district"]).all()
    lat = ref["latitude"].cast(pl.Float64)
    lon = ref["longitude"].cast(pl.Float64)
    assert lat.is_between(49.8, 55.9).all() and lon.is_between(-6.5, 1.8).all()
    blanks = total = 0
    for la in s.la_codes:
        for y in YEARS:
            e = read(out, la, y, "episodes")
            assert set(e["HOME_POST"]) <= known
            assert set(e["PL_POST"].drop_nulls()) <= known
            blanks += e["PL_POST"].null_count()
            total += e.height
            home_las = ref.filter(pl.col("postcode").is_in(e["HOME_POST"].implode()))["la_code"].unique().to_list()
            assert home_las == [la]
    assert 0.001 <= blanks / total <= 0.03
    # 845 near (50.9, 0.25)
    r845 = ref.filter(pl.col("la_code") == "845")
    assert abs(r845["latitude"].cast(pl.Float64).mean() - 50.92) < 0.1
    assert abs(r845["longitude"].cast(pl.Float64).mean() - 0.25) < 0.15


def test_population_reference(gen):
    out, s = gen
    pop = pl.read_csv(out / "reference/population.csv", schema_overrides={"area_code": pl.String})
    assert set(pop["area_code"]) == set(s.la_codes)
    assert set(pop["age_group"]) == {"0-17"}
    assert sorted(pop.filter(pl.col("area_code") == "845")["year"].to_list()) == list(range(2020, 2027))
    assert pop.filter((pl.col("area_code") == "845") & (pl.col("year") == 2024))["population"].item() == 104428
    assert pop.filter((pl.col("area_code") == "845") & (pl.col("year") == 2026))["population"].item() == 104428


def test_reviews_missing_oc3(gen):
    out, _ = gen
    y = "2024-25"
    h = parse_dates(read(out, "845", y, "header"), ["DOB"])
    rv = parse_dates(read(out, "845", y, "reviews"), ["REVIEW", "DOB"])
    assert rv.height > 800
    assert rv["REVIEW_CODE"].is_in([f"PN{i}" for i in range(8)]).all()
    young = rv.with_columns(age=(pl.col("REVIEW") - pl.col("DOB")).dt.total_days() / 365.25)
    assert young.filter(pl.col("age") < 3.99)["REVIEW_CODE"].eq("PN0").all()
    assert young.filter(pl.col("age") > 4.01)["REVIEW_CODE"].ne("PN0").all()
    assert set(rv["DOB"]) <= set(h["DOB"])
    ms = parse_dates(read(out, "845", y, "missing"), ["MIS_START", "MIS_END", "DOB"])
    assert ms.height > 20
    assert ms["MISSING"].is_in(["M", "A"]).all()
    assert (ms.drop_nulls("MIS_END")["MIS_END"] >= ms.drop_nulls("MIS_END")["MIS_START"]).all()
    nxt = ms.sort("CHILD", "MIS_START").with_columns(nxt=pl.col("MIS_START").shift(-1).over("CHILD"))
    assert nxt.filter(pl.col("nxt").is_not_null() & (pl.col("nxt") <= pl.col("MIS_END"))).height == 0
    assert ms.select(((pl.col("MIS_START") - pl.col("DOB")).dt.total_days() / 365.25).min()).item() >= 10
    oc = parse_dates(read(out, "845", y, "oc3"), ["DOB"])
    assert 40 <= oc.height <= 400
    assert oc["IN_TOUCH"].is_in(["YES", "NO", "DIED", "REFU", "NREQ", "RHOM"]).all()
    ages = oc.select(((pl.lit(date(2025, 3, 31)) - pl.col("DOB")).dt.total_days() / 365.25).alias("a"))["a"]
    assert ages.min() >= 18.99 and ages.max() < 22.01
    yes = oc.filter(pl.col("IN_TOUCH") == "YES")
    assert yes["ACTIV"].is_not_null().all() and yes["ACCOM"].is_not_null().all()


def test_in_year_end(in_year):
    out, s = in_year
    end = date(2026, 10, 31)
    assert s.collection_years == ["2025-26", "2026-27"]
    assert json.loads((out / "csqa-manifest.json").read_text())["end"] == "2026-10-31"
    for table, cols in DATE_COLS.items():
        df = parse_dates(read(out, "845", "2026-27", table), cols)
        for c in cols:
            if c != "DOB" and c in df.columns and df[c].drop_nulls().len():
                assert df[c].drop_nulls().max() <= end, (table, c)
    e = episodes(out, "845", "2026-27")
    assert e["DECOM"].max() <= end and e["DECOM"].max() >= end - timedelta(days=60)
    open_at_end = e.filter(pl.col("DEC").is_null())
    assert 550 <= open_at_end.height <= 800
    assert open_at_end["REC"].is_null().all() and open_at_end["REASON_PLACE_CHANGE"].is_null().all()
    # the complete year before it is the same as in the full run's history would give: carried over
    prev_open = read(out, "845", "2025-26", "episodes").filter(pl.col("DEC").is_null())
    cur = read(out, "845", "2026-27", "episodes")
    assert prev_open.join(cur, on=["CHILD", "DECOM"], how="anti").height == 0


def test_one_history_whatever_the_window(gen, in_year, tmp_path):
    """Runs that differ only in `end` or `years` write identical files for the years they share, so an
    in-year refresh continues the history an earlier run wrote."""
    out, _ = gen
    later, _ = in_year
    for t in COLUMNS:
        rel = f"ssda903/845/2025-26/{t}.csv"
        assert (later / rel).read_bytes() == (out / rel).read_bytes(), rel
    # the children in need history too: the complete year's census, and the workbooks of the months both have
    rel = "cin_census/845/2025-26/cin_census.xml"
    assert (later / rel).read_bytes() == (out / rel).read_bytes(), rel
    for m in ("2025-11", "2026-03"):
        rel = f"annex_a/845/{m}/annex_a.xlsx"
        assert (later / rel).read_bytes() == (out / rel).read_bytes(), rel
    short = tmp_path / "short"
    generate(short, years=3, seed=42, end=END)
    for y in YEARS[-3:]:
        for t in COLUMNS:
            rel = f"ssda903/845/{y}/{t}.csv"
            assert (short / rel).read_bytes() == (out / rel).read_bytes(), rel
        rel = f"cin_census/845/{y}/cin_census.xml"
        assert (short / rel).read_bytes() == (out / rel).read_bytes(), rel
    for a in AS_AT:
        rel = f"annex_a/845/{a:%Y-%m}/annex_a.xlsx"
        assert (short / rel).read_bytes() == (out / rel).read_bytes(), rel


# ---------------------------------------------------------------------------------------------------------
# children in need and child protection: Annex A workbooks, CIN census, teams

SAMPLE_ANNEX = Path(__file__).resolve().parents[1] / "data" / "samples" / "annex_a" / "Annex_A_2024_Jan.xlsx"
LISTS = [f"List {i}" for i in range(1, 12)]
ANNEX_DATE_COLS = {  # headings (sample wording) holding dates
    "List 1": ["Date of Birth", "Date of Contact"],
    "List 3": ["Date of Birth", "Date of Referral"],
    "List 4": ["Date of Birth", "Continuous Assessment Start Date", "Continuous Assessment Date of Authorisation"],
    "List 5": [
        "Date of Birth",
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Date of Initial Child Protection Conference",
    ],
    "List 6": ["Date of Birth", "CIN Start Date", "Date Child Was Last Seen", "CIN Closure Date"],
    "List 7": [
        "Date of Birth",
        "Child Protection Plan Start Date",
        "Date of the Last Statutory Visit",
        "Date of latest review conference",
        "Child Protection Plan End Date",
    ],
}
TEAM_LISTS = ("List 3", "List 4", "List 5", "List 6", "List 7")
COMPLETE = YEARS[1:]  # years with a year of history before them (re-referrals look back 12 months)


@functools.cache
def _holidays():
    import holidays

    return holidays.country_holidays("GB", subdiv="ENG", years=range(2000, 2040))


def working_days(a: date, b: date) -> int:
    """Working days after a, up to and including b (weekends and England and Wales bank holidays excluded)."""
    hol = _holidays()
    n, d = 0, a
    while d < b:
        d += timedelta(days=1)
        if d.weekday() < 5 and d not in hol:
            n += 1
    return n


@functools.cache
def sheet_rows(path: Path, name: str | None = None) -> list[tuple] | dict[str, tuple]:
    """One sheet's rows, or (name None) every sheet's heading row, read with openpyxl."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        if name is None:
            return {ws.title: next(ws.iter_rows(values_only=True)) for ws in book.worksheets}
        return [tuple(r) for r in book[name].iter_rows(values_only=True)]
    finally:
        book.close()


def sheet(path: Path, name: str) -> list[dict]:
    rows = sheet_rows(path, name)
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


@functools.cache
def census(path: Path):
    return ET.parse(path).getroot()


def _d(el, tag):
    x = el.find(tag)
    return date.fromisoformat(x.text) if x is not None else None


def census_rows(root: Path, la: str) -> dict[str, list]:
    """Every referral (CINdetails) in every census file, with its modules, keyed by year label."""
    out = {}
    for y in YEARS:
        rows = []
        for ch in census(root / "cin_census" / la / y / "cin_census.xml").iter("Child"):
            cid = ch.find("ChildIdentifiers/LAchildID").text
            for d in ch.findall("CINdetails"):
                rows.append((cid, d))
        out[y] = rows
    return out


def test_cin_layout(gen):
    out, s = gen
    for la in s.la_codes:
        assert sorted(p.name for p in (out / "annex_a" / la).iterdir()) == [f"{a:%Y-%m}" for a in AS_AT]
        assert sorted(p.name for p in (out / "cin_census" / la).iterdir()) == YEARS
        for a in AS_AT:
            assert [p.name for p in (out / "annex_a" / la / f"{a:%Y-%m}").iterdir()] == ["annex_a.xlsx"]
    org = pl.read_csv(out / "reference/org_units.csv", infer_schema_length=0)
    assert org.columns == ["la_code", "team_name", "team_id", "service_id", "service_name"]
    assert set(org["la_code"]) == set(s.la_codes)
    services = {"Early Help and Front Door", "Assessment and Child Protection", "Children in Care"}
    assert set(org["service_name"]) == services
    assert org["team_id"].is_unique().all()
    assert s.rows["org_units"] == org.height


def test_annex_a_sheets_headings_and_codes(gen):
    import openpyxl

    out, _ = gen
    sample = openpyxl.load_workbook(SAMPLE_ANNEX, read_only=True)
    sample_heads = {ws.title: [c for c in next(ws.iter_rows(values_only=True))] for ws in sample.worksheets}
    sample.close()
    from ingest.synthetic.annex_a import HEADING_VARIANTS

    for la in ("845", "878"):
        path = out / "annex_a" / la / "2026-03" / "annex_a.xlsx"
        book = sheet_rows(path)
        assert list(book) == LISTS
        for name in LISTS:
            heads = list(book[name])
            if la == "845":  # the sample's wording
                assert heads == sample_heads[name], name
            else:  # the documented variants, same columns in the same order
                assert heads == [HEADING_VARIANTS.get(h, h) for h in sample_heads[name]], name
        assert len(sheet_rows(path, "List 7")) > 100
        assert all(len(sheet_rows(path, n)) == 1 for n in ("List 2", "List 8", "List 9", "List 10", "List 11"))
    rows = {n: sheet(out / "annex_a/845/2026-03/annex_a.xlsx", n) for n in ANNEX_DATE_COLS}
    letter = re.compile(r"^[a-z]\) ")
    for r in rows["List 3"]:
        assert r["Gender"] in ("a) Male", "b) Female")
        assert letter.match(r["Ethnicity"]) and letter.match(r["Referral Source"]), r
        assert r["Referral NFA?"] in ("Yes", "No")
        assert isinstance(r["Child Unique ID"], int)
    assert {r["Does the Child have a Disability"] for r in rows["List 4"]} == {"a) Yes", "b) No"}
    assert {r["Case Status"] for r in rows["List 6"]} == {
        "a) Looked after child", "b) Child Protection plan", "c) Child in need plan", "d) Open assessment",
        "e) Closed episode",
    }  # fmt: skip
    assert {r["Primary Need Code"][:2] for r in rows["List 6"]} <= {f"N{i}" for i in range(1, 10)}
    assert {r["Reason for Closure"][:3] for r in rows["List 6"] if r["Reason for Closure"]} <= {
        f"RC{i}" for i in range(1, 9)
    }
    assert "q) 6: Police" in {r["Contact Source"] for r in rows["List 1"]}
    # dates are real Excel dates, inside the 12 months (events) or before the as-at date
    lo, hi = datetime(2025, 4, 1), datetime(2026, 3, 31)
    for name, cols in ANNEX_DATE_COLS.items():
        for r in rows[name]:
            for c in cols:
                assert r[c] is None or isinstance(r[c], datetime), (name, c, r[c])
                assert r[c] is None or r[c] <= hi, (name, c, r[c])
    assert all(lo <= r["Date of Contact"] for r in rows["List 1"])
    assert all(lo <= r["Date of Referral"] for r in rows["List 3"])
    assert all(lo <= r["Strategy discussion initiating Section 47 Enquiry Start Date"] for r in rows["List 5"])


def test_care_starts_have_an_earlier_referral(gen):
    """The same children: everyone who starts a period of care has a child in need episode from a referral on or
    before that day, under the same id (LAchildID = CHILD), and the same date of birth."""
    out, s = gen
    for la in s.la_codes:
        cin = census_rows(out, la)
        for y in YEARS:
            ys, ye = year_bounds(y)
            e = episodes(out, la, y)
            starts = e.filter((pl.col("RNE") == "S") & pl.col("DECOM").is_between(ys, ye))
            refs: dict[str, list[date]] = {}
            for cid, d in cin[y]:
                refs.setdefault(cid, []).append(_d(d, "CINreferralDate"))
            assert starts.height > 100
            for child, decom in starts.select("CHILD", "DECOM").iter_rows():
                assert any(r <= decom for r in refs.get(child, [])), (la, y, child, decom)
            dob903 = dict(parse_dates(read(out, la, y, "header"), ["DOB"]).select("CHILD", "DOB").iter_rows())
            seen = 0
            for ch in census(out / "cin_census" / la / y / "cin_census.xml").iter("Child"):
                cid = ch.find("ChildIdentifiers/LAchildID").text
                if cid in dob903:
                    assert _d(ch, "ChildIdentifiers/PersonBirthDate") == dob903[cid], (la, y, cid)
                    seen += 1
            assert seen > 0.9 * len(dob903)  # nearly every child looked after is a child in need (short breaks)


def test_cin_census_parses(gen):
    out, s = gen
    upn = re.compile(r"^[A-Z]\d{12}$")
    for la in s.la_codes:
        for y in YEARS:
            root = census(out / "cin_census" / la / y / "cin_census.xml")
            assert root.tag == "Message"
            cy = int(y[:4]) + 1
            assert root.find("Header/CollectionDetails/Collection").text == "CIN"
            assert root.find("Header/CollectionDetails/Year").text == str(cy)
            assert root.find("Header/CollectionDetails/ReferenceDate").text == f"{cy}-03-31"
            assert root.find("Header/Source/LEA").text == la
            ids = [c.text for c in root.iter("LAchildID")]
            assert len(ids) == len(set(ids)) > 1000
            assert all(upn.match(u.text) for u in root.iter("UPN"))
            ys, ye = year_bounds(y)
            for d in root.iter("CINdetails"):
                ref, close = _d(d, "CINreferralDate"), _d(d, "CINclosureDate")
                assert ref <= ye and (close is None or ys <= close <= ye)
                assert d.find("ReferralNFA").text in ("true", "false")
                assert (close is None) == (d.find("ReasonForClosure") is None)
            for p in root.iter("ChildProtectionPlans"):
                assert p.find("InitialCategoryOfAbuse").text in ("NEG", "EMO", "PHY", "SAB", "MUL")


def _cin_figures(root: Path, la: str) -> dict[str, dict]:
    """The DfE-style figures for each complete year, from the CIN census files."""
    cin = census_rows(root, la)
    all_refs: dict[str, set[date]] = {}
    for y in YEARS:
        for cid, d in cin[y]:
            all_refs.setdefault(cid, set()).add(_d(d, "CINreferralDate"))
    figs = {}
    for y in COMPLETE:
        ys, ye = year_bounds(y)
        refs = rr = nfa = cin31 = 0
        assess = in45 = icpc = in15 = s47 = 0
        plans_started, plans_open = {}, {}
        for cid, d in cin[y]:
            ref = _d(d, "CINreferralDate")
            if ys <= ref <= ye:
                refs += 1
                rr += any(0 < (ref - o).days <= 365 for o in all_refs[cid])
                nfa += d.find("ReferralNFA").text == "true"
            if d.find("CINclosureDate") is None and d.find("ReferralNFA").text == "false":
                cin31 += 1
            for a in d.findall("Assessments"):
                auth = _d(a, "AssessmentAuthorisationDate")
                if auth is not None and ys <= auth <= ye:
                    assess += 1
                    in45 += working_days(ref, auth) <= 45
            for sq in d.findall("Section47"):
                start, held = _d(sq, "S47ActualStartDate"), _d(sq, "DateOfInitialCPC")
                s47 += ys <= start <= ye
                if held is not None and ys <= held <= ye:
                    icpc += 1
                    in15 += working_days(start, held) <= 15
            for p in d.findall("ChildProtectionPlans"):
                start, end = _d(p, "CPPstartDate"), _d(p, "CPPendDate")
                prev = int(p.find("NumberOfPreviousCPP").text)
                if ys <= start <= ye:
                    plans_started[(cid, start)] = prev
                if end is None:
                    plans_open[(cid, start)] = start
        figs[y] = {
            "referrals": refs,
            "rereferral_pct": 100 * rr / refs,
            "nfa_pct": 100 * nfa / refs,
            "cin_at31": cin31,
            "assessments": assess,
            "assess_45_pct": 100 * in45 / assess,
            "s47": s47,
            "icpc_15_pct": 100 * in15 / icpc,
            "cpp_starts": len(plans_started),
            "cpp_subsequent_pct": 100 * sum(v > 0 for v in plans_started.values()) / len(plans_started),
            "cpp_at31": len(plans_open),
            "cpp_2y_pct": 100 * sum((ye - s).days >= 730 for s in plans_open.values()) / len(plans_open),
        }
    return figs


# East Sussex (845), published 2020-21 to 2024-25 (data/benchmarks/dfe c1, b1, d3, d5): referrals 3,824-4,311;
# re-referrals 15.1-20.6%; no further action 2.0-4.2%; children in need at 31 March 3,128-3,708; plans started
# 588-720, second or subsequent 25.9-32.3%; plans at 31 March 524-685, of which two years or more 3.8-7.9%.
# The ranges below widen those by about 15%. Timeliness is not in those files: national levels are about 80-85%
# of assessments within 45 working days and 75-80% of initial conferences within 15.
RANGES_845 = {
    "referrals": (3250, 4960),
    "rereferral_pct": (11, 24),
    "nfa_pct": (1, 7),
    "cin_at31": (2800, 4100),
    "cpp_starts": (500, 830),
    "cpp_subsequent_pct": (20, 38),
    "cpp_at31": (450, 790),
    "cpp_2y_pct": (1.5, 11),
    "assess_45_pct": (77, 88),
    "icpc_15_pct": (66, 85),
}


def test_demo_la_children_in_need_volumes(gen):
    out, _ = gen
    figs = _cin_figures(out, "845")
    for y, f in figs.items():
        for k, (lo, hi) in RANGES_845.items():
            assert lo <= f[k] <= hi, (y, k, f[k])
        assert 0.85 <= f["assessments"] / f["referrals"] <= 1.05, (y, f)
        assert 0.3 <= f["s47"] / f["referrals"] <= 0.55, (y, f)


def test_team_breakdowns_vary(gen):
    """Assessments within 45 working days of referral (referral dates from the census, teams from Annex A):
    realistic overall, clearly worse for one locality team; conferences late in the same team; visits overdue
    in one child protection team."""
    out, _ = gen
    ref_of = {}
    for y in ("2024-25", "2025-26"):
        for cid, d in census_rows(out, "845")[y]:
            for a in d.findall("Assessments"):
                ref_of[(cid, _d(a, "AssessmentActualStartDate"))] = _d(d, "CINreferralDate")
    path = out / "annex_a/845/2026-03/annex_a.xlsx"
    by_team: dict[str, list[int]] = {}
    for r in sheet(path, "List 4"):
        auth = r["Continuous Assessment Date of Authorisation"]
        if auth is None:
            continue
        ref = ref_of[(str(r["Child Unique ID"]), r["Continuous Assessment Start Date"].date())]
        ok = working_days(ref, auth.date()) <= 45
        for k in (r["Allocated Team"], "all"):
            by_team.setdefault(k, [0, 0])
            by_team[k][0] += ok
            by_team[k][1] += 1
    share = {k: 100 * a / n for k, (a, n) in by_team.items()}
    worst = min((k for k in share if k != "all" and by_team[k][1] >= 100), key=share.get)
    assert worst == "Locality 3 Assessment", share
    assert 78 <= share["all"] <= 88, share
    assert share[worst] <= share["all"] - 12, share
    assert all(share[k] >= 84 for k in share if k.startswith("Locality") and k != worst), share

    icpc: dict[str, list[int]] = {}
    for r in sheet(path, "List 5"):
        held = r["Date of Initial Child Protection Conference"]
        if held is not None:
            start = r["Strategy discussion initiating Section 47 Enquiry Start Date"]
            icpc.setdefault(r["Allocated Team"], []).append(working_days(start.date(), held.date()) <= 15)
    icpc_share = {k: 100 * sum(v) / len(v) for k, v in icpc.items() if len(v) >= 50}
    assert min(icpc_share, key=icpc_share.get) == "Locality 3 Assessment", icpc_share

    visits: dict[str, list[int]] = {}
    for r in sheet(path, "List 7"):
        if r["Child Protection Plan End Date"] is None:
            last = r["Date of the Last Statutory Visit"]
            ok = last is not None and working_days(last.date(), date(2026, 3, 31)) <= 10
            visits.setdefault(r["Allocated Team"], []).append(ok)
    visit_share = {k: 100 * sum(v) / len(v) for k, v in visits.items()}
    assert set(visit_share) == {"Child Protection 1", "Child Protection 2"}
    assert visit_share["Child Protection 2"] <= visit_share["Child Protection 1"] - 8, visit_share


def test_org_units_cover_all_but_one_team(gen):
    out, s = gen
    org = pl.read_csv(out / "reference/org_units.csv", infer_schema_length=0)
    for la in s.la_codes:
        teams = set()
        for a in AS_AT[-1:]:  # every team has work in every month; reading one workbook an LA keeps this quick
            for name in TEAM_LISTS:
                rows = sheet_rows(out / "annex_a" / la / f"{a:%Y-%m}" / "annex_a.xlsx", name)
                k = rows[0].index("Allocated Team")
                teams |= {r[k] for r in rows[1:] if r[k]}
        mapped = set(org.filter(pl.col("la_code") == la)["team_name"])
        assert teams - mapped == {"Children with Disabilities Team"}, (la, teams - mapped)
        assert mapped <= teams
        assert len(teams) == 12


def test_workers_named_and_shared_within_teams(gen):
    out, _ = gen
    rows = sheet(out / "annex_a/845/2026-03/annex_a.xlsx", "List 3")
    workers: dict[str, set[str]] = {}
    for r in rows:
        workers.setdefault(r["Allocated Team"], set()).add(r["Allocated Worker"])
    assert all(3 <= len(w) <= 12 for w in workers.values()), workers
    assert all(re.match(r"^[A-Z][a-z]+ [A-Z][a-z]+$", w) for ws in workers.values() for w in ws)
