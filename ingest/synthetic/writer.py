"""Cut an LA's generated history into SSDA903 return files, one folder per collection year."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from . import codes as C
from .simulate import History, birthday

COLUMNS: dict[str, list[str]] = {
    "header": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "episodes": [
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ],
    "reviews": ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
    "missing": ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
    "oc3": ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
}
TABLES = tuple(COLUMNS)
DATE_FMT = "%d/%m/%Y"


def year_label(collection_year: int) -> str:
    return f"{collection_year - 1}-{collection_year % 100:02d}"


def _d(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.Int32).cast(pl.Date).dt.strftime(DATE_FMT)


def _write(df: pl.DataFrame, path: Path) -> int:
    df.write_csv(path, null_value="")
    return df.height


def write_la(
    h: History, ids: dict[int, str], out_dir: Path, years: list[tuple[int, int, int]], horizon: int
) -> tuple[dict[str, int], int, set[str]]:
    """Write every collection year's files for one LA. Returns (rows per table, files, postcodes used)."""
    kids = sorted(ids)
    child = pl.DataFrame(
        {
            "ci": kids,
            "CHILD": [ids[c] for c in kids],
            "num": [int(ids[c]) for c in kids],
            "sex": h.sex[kids].astype(np.int8),
            "dob": h.dob[kids].astype(np.int32),
            "b12": birthday(h.dob[kids], 12).astype(np.int32),
            "ETHNIC": [h.ethnic.get(c) for c in kids],
            "UPN": [h.upn.get(c) for c in kids],
            "mc": [h.mc_dob.get(c) for c in kids],
        },
        schema_overrides={"mc": pl.Int32, "ETHNIC": pl.String, "UPN": pl.String},
    )
    eps = pl.DataFrame(
        {
            "ci": h.e_child,
            "decom": h.e_decom,
            "dec": h.e_dec,
            "RNE": h.e_rne,
            "LS": h.e_ls,
            "CIN": h.e_cin,
            "PLACE": h.e_place,
            "PLACE_PROVIDER": h.e_prov,
            "rec": h.e_rec,
            "rpc": h.e_rpc,
            "HOME_POST": h.e_home,
            "PL_POST": h.e_pl,
            "URN": h.e_urn,
            "recode": h.e_recode,
            "recode_urn": h.e_recode_urn,
        },
        schema_overrides={
            "decom": pl.Int32,
            "dec": pl.Int32,
            "rpc": pl.String,
            "PL_POST": pl.String,
            "recode": pl.String,
            "recode_urn": pl.String,
        },
    ).join(child.select("ci", "CHILD", "num"), on="ci", how="left")
    eps = eps.with_columns(
        recode_from=pl.col("PLACE").replace_strict(C.RECODE_FROM, default=None, return_dtype=pl.Int32)
    )
    reviews = pl.DataFrame(
        {"ci": h.r_child, "date": h.r_date, "REVIEW_CODE": h.r_code},
        schema_overrides={"ci": pl.Int64, "date": pl.Int32, "REVIEW_CODE": pl.String},
    )
    missing = pl.DataFrame(
        {"ci": h.m_child, "MISSING": h.m_type, "start": h.m_start, "end": h.m_end},
        schema_overrides={"ci": pl.Int64, "MISSING": pl.String, "start": pl.Int32, "end": pl.Int32},
    )
    oc3 = pl.DataFrame(
        {"ci": h.o_child, "date": h.o_date, "IN_TOUCH": h.o_in_touch, "ACTIV": h.o_activ, "ACCOM": h.o_accom},
        schema_overrides={
            "ci": pl.Int64,
            "date": pl.Int32,
            "IN_TOUCH": pl.String,
            "ACTIV": pl.String,
            "ACCOM": pl.String,
        },
    )
    cdob = child.select("ci", "CHILD", "num", "dob")

    rows = dict.fromkeys(TABLES, 0)
    files = 0
    first_start = years[0][1]
    used = eps.filter((pl.col("decom") <= horizon) & (pl.col("dec") >= first_start))
    postcodes = set(used["HOME_POST"].to_list()) | set(used["PL_POST"].drop_nulls().to_list())

    for cy, ys, ye in years:
        cut = min(ye, horizon)
        folder = out_dir / "ssda903" / h.la_code / year_label(cy)
        folder.mkdir(parents=True, exist_ok=True)
        closed = pl.col("dec") <= cut
        # a code retired by this year is written as its successor (same episode, same DECOM)
        recoded = pl.col("recode_from").is_not_null() & (pl.col("recode_from") <= cy)
        e = (
            eps.filter((pl.col("decom") <= cut) & (pl.col("dec") >= ys))
            .sort("num", "decom")
            .with_columns(
                DECOM=_d("decom"),
                DEC=pl.when(closed).then(_d("dec")),
                REC=pl.when(closed).then(pl.col("rec")),
                REASON_PLACE_CHANGE=pl.when(closed).then(pl.col("rpc")),
                PLACE=pl.when(recoded).then(pl.col("recode")).otherwise(pl.col("PLACE")),
                URN=pl.when(recoded).then(pl.col("recode_urn")).otherwise(pl.col("URN")),
            )
        )
        rows["episodes"] += _write(e.select(COLUMNS["episodes"]), folder / "episodes.csv")

        mf = pl.col("sex") == 2
        hd = (
            child.join(e.select("ci").unique(), on="ci", how="semi")
            .sort("num")
            .with_columns(
                SEX=pl.when(pl.col("sex") == 1).then(pl.lit(C.sex_code(1, cy))).otherwise(pl.lit(C.sex_code(2, cy))),
                DOB=_d("dob"),
                MOTHER=pl.when(mf & (pl.col("b12") <= cut)).then(
                    pl.when(pl.col("mc").is_not_null() & (pl.col("mc") <= cut)).then(pl.lit("1")).otherwise(pl.lit("0"))
                ),
                MC_DOB=pl.when(mf & pl.col("mc").is_not_null() & (pl.col("mc") <= cut)).then(_d("mc")),
            )
        )
        rows["header"] += _write(hd.select(COLUMNS["header"]), folder / "header.csv")

        rv = (
            reviews.filter(pl.col("date").is_between(ys, cut))
            .join(cdob, on="ci", how="inner")
            .sort("num", "date")
            .with_columns(DOB=_d("dob"), REVIEW=_d("date"))
        )
        rows["reviews"] += _write(rv.select(COLUMNS["reviews"]), folder / "reviews.csv")

        ms = (
            missing.filter(pl.col("start").is_between(ys, cut))
            .join(cdob, on="ci", how="inner")
            .sort("num", "start")
            .with_columns(DOB=_d("dob"), MIS_START=_d("start"), MIS_END=pl.when(pl.col("end") <= cut).then(_d("end")))
        )
        rows["missing"] += _write(ms.select(COLUMNS["missing"]), folder / "missing.csv")

        oc = (
            oc3.filter(pl.col("date").is_between(ys, cut))
            .join(cdob, on="ci", how="inner")
            .sort("num")
            .with_columns(DOB=_d("dob"))
        )
        rows["oc3"] += _write(oc.select(COLUMNS["oc3"]), folder / "oc3.csv")
        files += 5
    return rows, files, postcodes
