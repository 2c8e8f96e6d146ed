"""Facts derived at ingest from identifying data that must not be stored.

Placement geography: from the home and placement postcodes, the straight-line distance in miles, whether the
placement lies outside the authority, and the postcode districts. The full postcodes are then dropped, so no
child's postcode reaches the warehouse.
"""

from __future__ import annotations

import polars as pl

EARTH_RADIUS_MILES = 3958.8


def placement_geography(con, good: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    warnings: list[str] = []
    # Several directory files may be loaded; a postcode in more than one takes its latest load's position. Only
    # this file's postcodes are looked up: the directory can hold millions, and this runs for every episodes file.
    wanted = pl.concat([good[c].cast(pl.String) for c in ("home_postcode", "placement_postcode")]).drop_nulls().unique()
    con.register("file_postcodes", wanted.to_frame("postcode").to_arrow())
    try:
        centroids = con.sql(
            """select postcode, la_code, latitude, longitude from raw.reference_postcode_centroids
               where postcode in (select postcode from file_postcodes)
               qualify row_number() over (partition by postcode order by _load_id desc) = 1"""
        ).pl()
    finally:
        con.unregister("file_postcodes")
    have_reference = con.sql("select count(*) from raw.reference_postcode_centroids").fetchall()[0][0] > 0
    if not have_reference:
        warnings.append("no postcode reference loaded: distances and boundaries unknown (ingest the reference, "
                        "then these files again with --reload)")
    home = centroids.rename({"postcode": "home_postcode", "la_code": "_home_la",
                             "latitude": "_hlat", "longitude": "_hlon"})
    place = centroids.rename({"postcode": "placement_postcode", "la_code": "_place_la",
                              "latitude": "_plat", "longitude": "_plon"})
    out = good.join(home, on="home_postcode", how="left").join(place, on="placement_postcode", how="left")
    lat1, lat2 = pl.col("_hlat").radians(), pl.col("_plat").radians()
    dlat = lat2 - lat1
    dlon = (pl.col("_plon") - pl.col("_hlon")).radians()
    a = (dlat / 2).sin() ** 2 + lat1.cos() * lat2.cos() * (dlon / 2).sin() ** 2
    distance = 2 * EARTH_RADIUS_MILES * a.sqrt().arcsin()
    unknown = out.filter(
        (pl.col("placement_postcode").is_not_null() & pl.col("_plat").is_null())
        | (pl.col("home_postcode").is_not_null() & pl.col("_hlat").is_null())
    ).height
    if unknown and have_reference:
        warnings.append(f"{unknown} row(s) with a postcode not in the postcode reference: distance unknown")
    out = out.with_columns(
        pl.col("home_postcode").str.split(" ").list.first().alias("home_postcode_district"),
        pl.col("placement_postcode").str.split(" ").list.first().alias("placement_postcode_district"),
        distance.round(2).alias("placement_distance_miles"),
        pl.when(pl.col("_place_la").is_null()).then(None)
        .otherwise(pl.col("_place_la") != pl.col("la_code")).alias("placed_outside_la"),
    ).drop("home_postcode", "placement_postcode", "_home_la", "_hlat", "_hlon", "_place_la", "_plat", "_plon")
    return out.sort("_source_row"), warnings


DERIVATIONS = {"placement_geography": placement_geography}
