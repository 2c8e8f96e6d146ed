"""The SSDA903 codes the generator writes, keyed by collection year where they change.

This is only what the generator needs; the warehouse's own code lists live with the ingest contracts.

Collection year = the year ending 31 March (2025 means 2024-25).

Year-specific choices:
- SEX: 1/2 up to 2023-24, M/F from 2024-25;
- semi-independent / independent living: H5 / P2 up to 2023-24, K3 (supported accommodation) from 2024-25;
- residential and secure children's homes: written R1 up to 2022-23 and K2 / K1 from 2023-24. This one is the
  generator's choice (its brief asked for it); the ingest contract (ingest/contracts/ssda903_codes.yaml)
  accepts R1, K1 and K2 in every year, as the DfE guide does.

A placement open across a changeover is recoded the way a council's case-management system does it when its
code list changes: the episode keeps its DECOM and everything else, but each year's return writes it with the
code valid for that year (an H5 placement that began in 2023 appears as H5 in the 2023-24 return and as K3 in
the 2024-25 one). Placements starting on or after the changeover (1 April of the first year of the new code)
get the new code. So every row of every return carries a code valid for its year, and the warehouse, which
keeps the latest return's row of each episode, sees the current code.
"""

from __future__ import annotations

from datetime import date

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def day(d: date) -> int:
    """Days since 1970-01-01."""
    return d.toordinal() - EPOCH_ORDINAL


def from_day(n: int) -> date:
    return date.fromordinal(n + EPOCH_ORDINAL)


# placement code -> (first collection year, last collection year) it may be written in
PLACE_VALID: dict[str, tuple[int, int]] = {
    "R1": (0, 2023),
    "K1": (2024, 9999),
    "K2": (2024, 9999),
    "H5": (0, 2024),
    "P2": (0, 2024),
    "K3": (2025, 9999),
}

# first collection year where the new code replaces the old one
RESI_NEW_FROM = 2024  # R1 -> K2 (K1 for secure)
SUPPORTED_NEW_FROM = 2025  # H5 / P2 -> K3
SEX_MF_FROM = 2025

# changeover days: 1 April of the first year of the new code
RESI_CHANGEOVER = day(date(RESI_NEW_FROM - 1, 4, 1))
SUPPORTED_CHANGEOVER = day(date(SUPPORTED_NEW_FROM - 1, 4, 1))
# retired code -> first collection year it is written as its successor (the successor is kept per episode:
# R1 becomes K2, or K1 for a secure home)
RECODE_FROM = {"R1": RESI_NEW_FROM, "H5": SUPPORTED_NEW_FROM, "P2": SUPPORTED_NEW_FROM}


def place_valid(code: str, collection_year: int) -> bool:
    lo, hi = PLACE_VALID.get(code, (0, 9999))
    return lo <= collection_year <= hi


def sex_code(sex: int, collection_year: int) -> str:
    """sex: 1 male, 2 female."""
    if collection_year >= SEX_MF_FROM:
        return "M" if sex == 1 else "F"
    return str(sex)


# placement groups used by the model
LA_FOSTER, IFA, KIN, RESI, SUPPORTED, PARENTS, ADOPTION, SECURE, MOTHER_BABY, NHS, YOI, SCHOOL = range(12)


def residential_code(t: int, secure: bool = False) -> str:
    if t >= RESI_CHANGEOVER:
        return "K1" if secure else "K2"
    return "R1"


def supported_code(t: int, independent: bool = False) -> str:
    if t >= SUPPORTED_CHANGEOVER:
        return "K3"
    return "P2" if independent else "H5"


ETHNIC_CODES = (
    "WBRI",
    "WIRI",
    "WIRT",
    "WOTH",
    "WROM",
    "MWBC",
    "MWBA",
    "MWAS",
    "MOTH",
    "AIND",
    "APKN",
    "ABAN",
    "AOTH",
    "BCRB",
    "BAFR",
    "BOTH",
    "CHNE",
    "OOTH",
    "REFU",
    "NOBT",
)
ETHNIC_SHIRES = (
    0.745,
    0.005,
    0.006,
    0.045,
    0.010,
    0.040,
    0.010,
    0.015,
    0.030,
    0.005,
    0.010,
    0.004,
    0.008,
    0.010,
    0.017,
    0.004,
    0.002,
    0.010,
    0.005,
    0.009,
)
ETHNIC_LONDON = (
    0.280,
    0.010,
    0.010,
    0.100,
    0.020,
    0.080,
    0.020,
    0.020,
    0.070,
    0.020,
    0.020,
    0.030,
    0.030,
    0.080,
    0.120,
    0.040,
    0.005,
    0.030,
    0.010,
    0.005,
)
UASC_ETHNIC = (("AOTH", 0.32), ("BAFR", 0.28), ("OOTH", 0.22), ("BOTH", 0.08), ("MOTH", 0.10))

# CIN: category of need
CIN_CODES = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8")
CIN_WEIGHTS = (0.66, 0.03, 0.03, 0.08, 0.15, 0.02, 0.002, 0.028)

REASON_PLACE_CHANGE = (
    ("CARPL", 0.30),
    ("CREQB", 0.11),
    ("CREQO", 0.08),
    ("CHILD", 0.08),
    ("LAREQ", 0.10),
    ("STAND", 0.04),
    ("ALLEG", 0.03),
    ("CLOSE", 0.04),
    ("APPRR", 0.02),
    ("OTHER", 0.15),
    ("PLACE", 0.04),
    ("CUSTOD", 0.01),
)

REVIEW_CODES_4PLUS = (
    ("PN1", 0.56),
    ("PN2", 0.05),
    ("PN3", 0.04),
    ("PN4", 0.08),
    ("PN5", 0.13),
    ("PN6", 0.09),
    ("PN7", 0.05),
)

OC3_IN_TOUCH = (("YES", 0.89), ("NO", 0.04), ("REFU", 0.025), ("NREQ", 0.035), ("DIED", 0.003), ("RHOM", 0.007))
OC3_ACTIV = (
    ("F1", 0.07),
    ("P1", 0.01),
    ("F2", 0.16),
    ("P2", 0.03),
    ("F3", 0.17),
    ("P3", 0.07),
    ("G4", 0.10),
    ("G5", 0.31),
    ("G6", 0.08),
)
OC3_ACCOM = (
    ("U1", 0.34),
    ("B1", 0.12),
    ("Z1", 0.08),
    ("E1", 0.06),
    ("D1", 0.09),
    ("T1", 0.03),
    ("K1", 0.05),
    ("C1", 0.02),
    ("Y1", 0.04),
    ("S2", 0.02),
    ("X2", 0.03),
    ("V2", 0.01),
    ("W2", 0.01),
    ("U2", 0.03),
    ("B2", 0.02),
    ("Y2", 0.03),
)
