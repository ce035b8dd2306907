"""Door-to-door (CAPI) visits: how far the tablet was from the household, and what to warn.

Pure: no Django, no I/O. Positions are WGS-84 degrees as browsers report them
(`navigator.geolocation`); distances and accuracies are metres.
"""

import math
from urllib.parse import quote

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), metres

# Warning codes recorded on a visit, in the order they are shown.
MISSING = "missing"  # the browser gave no position (denied, unavailable, timed out)
INACCURATE = "inaccurate"  # the position's accuracy radius is larger than allowed
FAR = "far"  # the position is farther from the assigned community than allowed
NO_REFERENCE = "no_reference"  # the community has no coordinates: distance unknown
WARNINGS = (MISSING, INACCURATE, FAR, NO_REFERENCE)

POSITION_ERRORS = ("denied", "unavailable", "timeout", "unsupported")


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points (haversine formula).

    Within 0.5 % of the ellipsoidal distance, far finer than a phone's GPS fix.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def is_valid_position(latitude: float | None, longitude: float | None) -> bool:
    return (
        latitude is not None
        and longitude is not None
        and math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    )


def position_warnings(
    *,
    latitude: float | None,
    longitude: float | None,
    accuracy_m: float | None,
    reference: tuple[float, float] | None,
    max_distance_m: float,
    max_accuracy_m: float,
) -> tuple[float | None, list[str]]:
    """Distance from the reference point and the warnings for one visit position.

    reference: (latitude, longitude) of the assigned community, or None when unknown.
    Returns (distance in metres or None, warning codes from WARNINGS in that order). A
    missing position gives only MISSING; an accuracy radius of exactly `max_accuracy_m` or a
    distance of exactly `max_distance_m` is still acceptable. An unknown accuracy counts as
    inaccurate (a position nobody can vouch for).
    """
    if not is_valid_position(latitude, longitude):
        return None, [MISSING]
    warnings = []
    if accuracy_m is None or not math.isfinite(accuracy_m) or accuracy_m > max_accuracy_m:
        warnings.append(INACCURATE)
    if reference is None or not is_valid_position(*reference):
        warnings.append(NO_REFERENCE)
        return None, warnings
    distance = distance_m(latitude, longitude, reference[0], reference[1])
    if distance > max_distance_m:
        warnings.append(FAR)
    return distance, warnings


def map_url(latitude: float | None, longitude: float | None, label: str = "") -> str:
    """A link to a map at the point (Amap, which tablets in China open in its app).

    Without coordinates, a search for the label (the household's address) instead; "" when
    there is neither. Amap takes longitude first; our coordinates are WGS-84 (GPS), which
    Amap shifts to its own GCJ-02 grid when told `coordinate=wgs84`.
    """
    if is_valid_position(latitude, longitude):
        url = (
            f"https://uri.amap.com/marker?position={longitude:.6f},{latitude:.6f}&coordinate=wgs84"
        )
        return f"{url}&name={quote(label)}" if label else url
    if label:
        return f"https://uri.amap.com/search?keyword={quote(label)}"
    return ""
