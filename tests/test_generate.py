"""The synthetic data generator (`ingest.generate`): determinism, layout, 903 rules, and realistic volumes."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from ingest.generate import collection_years, default_end, generate
from ingest.synthetic.codes import place_valid
from ingest.synthetic.las import choose_las
from ingest.synthetic.writer import COLUMNS

END = date(2026, 3, 31)
YEARS = ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25", "2025-26"]
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
    assert s.files == len(written) == 2 * 6 * 5 + 3
    assert s.rows["episodes"] > 0 and s.rows["header"] > 0 and s.rows["postcode_centroids"] > 0
    total_eps = sum(read(out, la, y, "episodes").height for la in s.la_codes for y in YEARS)
    assert s.rows["episodes"] == total_eps
    assert len(PROGRESS) == 3 and PROGRESS[0].startswith("LA 845 East Sussex (1/2)")
    manifest = json.loads((out / "csqa-manifest.json").read_text())
    assert manifest == {
        "synthetic": True,
        "generator": "csqa generate",
        "seed": 42,
        "las": ["845", "878"],
        "years": 6,
        "end": "2026-03-31",
    }


def test_deterministic(gen, tmp_path):
    out, _ = gen
    again = tmp_path / "again"
    generate(again, las=2, years=6, seed=42, end=END)
    assert all_files(again) == all_files(out)
    other = tmp_path / "other"
    generate(other, las=1, years=6, seed=43, end=END)
    a = (out / "ssda903/845/2024-25/episodes.csv").read_bytes()
    assert (other / "ssda903/845/2024-25/episodes.csv").read_bytes() != a


def test_la_independent_of_companions(gen, tmp_path):
    """An LA's files depend on (seed, LA), not on which other LAs are generated with it."""
    out, _ = gen
    solo = tmp_path / "solo"
    generate(solo, years=6, seed=42, end=END, la_codes=["878"])
    for y in YEARS:
        for t in COLUMNS:
            rel = f"ssda903/878/{y}/{t}.csv"
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
    short = tmp_path / "short"
    generate(short, years=3, seed=42, end=END)
    for y in YEARS[-3:]:
        for t in COLUMNS:
            rel = f"ssda903/845/{y}/{t}.csv"
            assert (short / rel).read_bytes() == (out / rel).read_bytes(), rel
