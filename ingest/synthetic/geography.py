"""Synthetic geography: approximate LA centroids and a fake, UK-shaped postcode scheme.

Every English LA (old three-digit code) gets an approximate centroid and a rough radius in km (hand-entered,
good to a few km: enough for "placed more than 20 miles away" and "outside the authority" to behave like real
data). Postcodes are synthetic: the postcode *area* is two letters starting with Q, V or X (no real UK
postcode area starts with those letters, so a synthetic postcode can never be mistaken for a real one), the
district number identifies the LA, and the coordinates of a postcode are a pure function of the postcode
string, so the reference table is the same whichever seed or set of LAs is generated.
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass
from functools import cache

# code: (latitude, longitude, radius_km)
LA_CENTROIDS: dict[str, tuple[float, float, float]] = {
    "201": (51.515, -0.092, 1.0),
    "202": (51.545, -0.165, 3.0),
    "203": (51.468, 0.045, 4.0),
    "204": (51.550, -0.060, 3.0),
    "205": (51.492, -0.222, 3.0),
    "206": (51.546, -0.106, 3.0),
    "207": (51.500, -0.192, 2.5),
    "208": (51.460, -0.117, 3.5),
    "209": (51.445, -0.020, 3.5),
    "210": (51.470, -0.075, 3.5),
    "211": (51.515, -0.035, 3.0),
    "212": (51.455, -0.192, 3.5),
    "213": (51.515, -0.150, 3.0),
    "301": (51.545, 0.130, 3.5),
    "302": (51.625, -0.210, 5.0),
    "303": (51.455, 0.145, 4.5),
    "304": (51.560, -0.275, 4.0),
    "305": (51.370, 0.050, 6.0),
    "306": (51.370, -0.090, 5.0),
    "307": (51.515, -0.310, 4.0),
    "308": (51.650, -0.080, 5.0),
    "309": (51.590, -0.110, 3.5),
    "310": (51.590, -0.340, 3.5),
    "311": (51.560, 0.230, 6.0),
    "312": (51.535, -0.450, 6.0),
    "313": (51.465, -0.370, 4.5),
    "314": (51.390, -0.290, 3.5),
    "315": (51.410, -0.190, 3.5),
    "316": (51.525, 0.035, 3.5),
    "317": (51.585, 0.075, 4.5),
    "318": (51.440, -0.330, 4.5),
    "319": (51.360, -0.190, 3.5),
    "320": (51.590, -0.010, 3.5),
    "330": (52.480, -1.890, 9.0),
    "331": (52.410, -1.510, 5.5),
    "332": (52.500, -2.100, 5.5),
    "333": (52.510, -2.010, 5.0),
    "334": (52.420, -1.750, 7.0),
    "335": (52.590, -1.980, 5.5),
    "336": (52.590, -2.130, 4.5),
    "340": (53.450, -2.850, 4.5),
    "341": (53.410, -2.980, 5.5),
    "342": (53.450, -2.740, 5.0),
    "343": (53.500, -3.000, 6.5),
    "344": (53.370, -3.080, 6.5),
    "350": (53.580, -2.430, 6.0),
    "351": (53.590, -2.300, 5.0),
    "352": (53.480, -2.240, 5.5),
    "353": (53.550, -2.100, 5.5),
    "354": (53.620, -2.160, 6.0),
    "355": (53.490, -2.330, 5.0),
    "356": (53.410, -2.160, 5.5),
    "357": (53.480, -2.080, 5.0),
    "358": (53.430, -2.330, 5.0),
    "359": (53.540, -2.620, 7.0),
    "370": (53.550, -1.480, 9.0),
    "371": (53.520, -1.130, 11.0),
    "372": (53.430, -1.360, 8.0),
    "373": (53.380, -1.470, 9.0),
    "380": (53.800, -1.760, 10.0),
    "381": (53.720, -1.930, 9.0),
    "382": (53.650, -1.780, 10.0),
    "383": (53.800, -1.550, 11.0),
    "384": (53.680, -1.500, 9.0),
    "390": (54.950, -1.650, 6.5),
    "391": (54.980, -1.620, 5.5),
    "392": (55.020, -1.500, 4.5),
    "393": (54.970, -1.430, 3.5),
    "394": (54.900, -1.400, 5.5),
    "420": (49.930, -6.300, 3.0),
    "800": (51.360, -2.450, 9.0),
    "801": (51.455, -2.590, 5.5),
    "802": (51.400, -2.800, 10.0),
    "803": (51.530, -2.470, 10.0),
    "805": (54.680, -1.220, 4.0),
    "806": (54.570, -1.240, 3.5),
    "807": (54.580, -1.050, 7.0),
    "808": (54.570, -1.320, 6.0),
    "810": (53.760, -0.340, 4.5),
    "811": (53.850, -0.500, 25.0),
    "812": (53.550, -0.100, 7.0),
    "813": (53.600, -0.600, 11.0),
    "815": (54.150, -1.400, 40.0),
    "816": (53.960, -1.080, 6.0),
    "821": (51.880, -0.420, 3.5),
    "822": (52.140, -0.470, 11.0),
    "823": (52.000, -0.450, 13.0),
    "825": (51.800, -0.800, 19.0),
    "826": (52.040, -0.760, 7.0),
    "830": (53.100, -1.600, 26.0),
    "831": (52.920, -1.470, 4.5),
    "838": (50.750, -2.300, 23.0),
    "839": (50.730, -1.850, 6.0),
    "840": (54.700, -1.750, 21.0),
    "841": (54.530, -1.550, 6.0),
    "845": (50.925, 0.250, 20.0),
    "846": (50.835, -0.140, 5.0),
    "850": (51.050, -1.250, 26.0),
    "851": (50.800, -1.070, 3.5),
    "852": (50.910, -1.400, 4.0),
    "855": (52.700, -1.150, 21.0),
    "856": (52.635, -1.130, 4.0),
    "857": (52.660, -0.640, 7.0),
    "860": (52.800, -2.050, 26.0),
    "861": (53.010, -2.180, 5.0),
    "865": (51.300, -1.950, 26.0),
    "866": (51.560, -1.780, 7.0),
    "867": (51.410, -0.750, 4.5),
    "868": (51.480, -0.680, 6.0),
    "869": (51.420, -1.280, 11.0),
    "870": (51.450, -0.970, 3.5),
    "871": (51.510, -0.590, 3.5),
    "872": (51.410, -0.870, 6.0),
    "873": (52.350, 0.050, 26.0),
    "874": (52.570, -0.240, 8.0),
    "876": (53.350, -2.720, 5.0),
    "877": (53.390, -2.600, 7.0),
    "878": (50.750, -3.700, 35.0),
    "879": (50.385, -4.140, 4.5),
    "880": (50.450, -3.550, 4.5),
    "881": (51.800, 0.600, 28.0),
    "882": (51.540, 0.700, 4.0),
    "883": (51.500, 0.350, 6.0),
    "884": (52.080, -2.750, 19.0),
    "885": (52.200, -2.200, 19.0),
    "886": (51.200, 0.750, 30.0),
    "887": (51.400, 0.550, 6.0),
    "888": (53.850, -2.600, 26.0),
    "889": (53.700, -2.480, 5.5),
    "890": (53.820, -3.040, 3.5),
    "891": (53.150, -1.000, 21.0),
    "892": (52.955, -1.150, 4.5),
    "893": (52.600, -2.750, 23.0),
    "894": (52.700, -2.480, 7.0),
    "895": (53.150, -2.300, 16.0),
    "896": (53.200, -2.750, 15.0),
    "908": (50.400, -4.900, 30.0),
    "916": (51.850, -2.200, 21.0),
    "919": (51.800, -0.250, 19.0),
    "921": (50.680, -1.300, 9.0),
    "925": (53.100, -0.200, 35.0),
    "926": (52.650, 1.000, 30.0),
    "929": (55.200, -2.000, 30.0),
    "931": (51.750, -1.300, 21.0),
    "933": (51.100, -3.000, 26.0),
    "935": (52.200, 1.000, 26.0),
    "936": (51.250, -0.450, 19.0),
    "937": (52.300, -1.550, 19.0),
    "938": (50.950, -0.450, 21.0),
    "940": (52.400, -0.650, 13.0),
    "941": (52.200, -1.000, 15.0),
    "942": (54.650, -3.100, 23.0),
    "943": (54.400, -2.800, 26.0),
}

_ALL = sorted(LA_CENTROIDS)
_AREA_FIRST = "QVX"
_LETTERS = "ABCDEFGHJKLMNOPRSTUWY"  # 21 letters: 3 x 21 = 63 areas, three LAs per area
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in real inward codes
KM_PER_DEG_LAT = 111.2
MILES_PER_KM = 0.621371


def _stable_seed(*parts: object) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode())


@dataclass(frozen=True)
class LAGeo:
    code: str
    lat: float
    lon: float
    radius_km: float
    area: str
    districts: tuple[str, ...]  # outward codes
    district_centres: tuple[tuple[float, float], ...]
    cum_weights: tuple[float, ...]
    spread_km: float


def _offset(lat: float, lon: float, dx_km: float, dy_km: float) -> tuple[float, float]:
    return (
        lat + dy_km / KM_PER_DEG_LAT,
        lon + dx_km / (KM_PER_DEG_LAT * math.cos(math.radians(lat))),
    )


@cache
def la_geo(code: str) -> LAGeo:
    """The LA's synthetic postcode districts (independent of any seed)."""
    lat, lon, radius = LA_CENTROIDS[code]
    i = _ALL.index(code)
    area = _AREA_FIRST[(i // 3) // len(_LETTERS)] + _LETTERS[(i // 3) % len(_LETTERS)]
    base = (i % 3) * 33  # districts 1-32, 34-65, 67-98 of the area
    n = max(3, min(32, int(round(2.2 * radius)) // 2 + 2))
    r = random.Random(_stable_seed("districts", code))
    districts, centres, weights = [], [], []
    for k in range(n):
        # district centres spread over the LA's disc, denser towards the centre
        rr = radius * math.sqrt(r.random()) * 0.85
        th = r.random() * 2 * math.pi
        centres.append(_offset(lat, lon, rr * math.cos(th), rr * math.sin(th)))
        districts.append(f"{area}{base + k + 1}")
        weights.append(0.5 + r.random())
    tot = sum(weights)
    cum, acc = [], 0.0
    for w in weights:
        acc += w / tot
        cum.append(acc)
    cum[-1] = 1.0
    spread = max(0.6, radius / (1.6 * math.sqrt(n)))
    return LAGeo(code, lat, lon, radius, area, tuple(districts), tuple(centres), tuple(cum), spread)


@cache
def outward_index() -> dict[str, tuple[str, int]]:
    """outward code -> (la_code, district number within the LA)."""
    out: dict[str, tuple[str, int]] = {}
    for code in _ALL:
        g = la_geo(code)
        for k, d in enumerate(g.districts):
            out[d] = (code, k)
    return out


@cache
def postcode_location(pc: str) -> tuple[str, str, float, float]:
    """(outward code, la_code, latitude, longitude) of a synthetic postcode: a pure function of the string."""
    outward, inward = pc.split(" ")
    code, k = outward_index()[outward]
    g = la_geo(code)
    clat, clon = g.district_centres[k]
    h1 = _stable_seed("sector", outward, inward[0])
    h2 = _stable_seed("unit", pc)
    # sector: within ~spread km of the district centre; unit: within ~250 m of the sector
    a1 = (h1 & 0xFFFF) / 65536 * 2 * math.pi
    r1 = g.spread_km * math.sqrt(((h1 >> 16) & 0xFFFF) / 65536)
    a2 = (h2 & 0xFFFF) / 65536 * 2 * math.pi
    r2 = 0.25 * math.sqrt(((h2 >> 16) & 0xFFFF) / 65536)
    lat, lon = _offset(clat, clon, r1 * math.cos(a1) + r2 * math.cos(a2), r1 * math.sin(a1) + r2 * math.sin(a2))
    return outward, code, round(lat, 6), round(lon, 6)


def random_postcode(rnd, code: str) -> str:
    """A postcode inside LA `code`, drawn with `rnd` (a random.Random)."""
    g = la_geo(code)
    u = rnd.random()
    k = 0
    cw = g.cum_weights
    while cw[k] < u:
        k += 1
    return (
        f"{g.districts[k]} {int(rnd.random() * 10)}"
        f"{UNIT_LETTERS[int(rnd.random() * 20)]}{UNIT_LETTERS[int(rnd.random() * 20)]}"
    )


@cache
def _border_weights(code: str, from_code: str) -> tuple[float, ...]:
    """Cumulative district weights of LA `code` favouring districts near LA `from_code` (cross-border
    placements are mostly just over the boundary)."""
    g = la_geo(code)
    flat, flon, frad = LA_CENTROIDS[from_code]
    prev = 0.0
    w = []
    for (lat, lon), c in zip(g.district_centres, g.cum_weights, strict=True):
        km = max(0.0, distance_km(lat, lon, flat, flon) - 0.8 * frad)  # roughly: distance from the boundary
        w.append((c - prev) / (1.0 + (km / 8.0) ** 3))
        prev = c
    tot, acc, cum = sum(w), 0.0, []
    for x in w:
        acc += x / tot
        cum.append(acc)
    cum[-1] = 1.0
    return tuple(cum)


def random_postcode_near(rnd, code: str, from_code: str) -> str:
    """A postcode in LA `code`, more likely in the districts nearest LA `from_code`."""
    g = la_geo(code)
    cw = _border_weights(code, from_code)
    u = rnd.random()
    k = 0
    while cw[k] < u:
        k += 1
    return (
        f"{g.districts[k]} {int(rnd.random() * 10)}"
        f"{UNIT_LETTERS[int(rnd.random() * 20)]}{UNIT_LETTERS[int(rnd.random() * 20)]}"
    )


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


@cache
def neighbours(code: str) -> tuple[tuple[str, ...], tuple[float, ...], tuple[str, ...]]:
    """(nearest LAs, their cumulative weights, LAs 50-250 km away) for out-of-area placements."""
    lat, lon, _ = LA_CENTROIDS[code]
    d = sorted((distance_km(lat, lon, *LA_CENTROIDS[c][:2]), c) for c in _ALL if c != code and c != "420")
    near = d[:8]
    # nearer and bigger authorities take more of the cross-border placements
    w = [(LA_CENTROIDS[c][2] + 3.0) / max(5.0, km) ** 2.5 for km, c in near]
    tot, acc, cum = sum(w), 0.0, []
    for x in w:
        acc += x / tot
        cum.append(acc)
    cum[-1] = 1.0
    far = tuple(c for km, c in d if 50.0 <= km <= 250.0) or tuple(c for _, c in d[6:40])
    return tuple(c for _, c in near), tuple(cum), far
