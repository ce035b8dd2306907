"""area() and distance() of geopoints, a geotrace or a geoshape, as ODK computes them. Pure.

A point is "latitude longitude [altitude accuracy]"; a trace or shape is points separated by
";". On a sphere of the Earth's equatorial radius (6,378,100 m, as ODK's engines use):
distance() sums the great-circle distances between consecutive points (haversine); area()
closes the ring and takes its spherical area (the sum of Δlongitude · (2 + sin φ1 + sin φ2),
times R²/2). Anything not a valid point gives NaN.
"""

import math

__all__ = ["area", "distance"]

RADIUS = 6_378_100.0


def _points(text: str) -> list[tuple[float, float]] | None:
    points = []
    for part in text.split(";"):
        fields = part.split()
        if len(fields) < 2:
            return None
        try:
            latitude, longitude = float(fields[0]), float(fields[1])
        except ValueError:
            return None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return None
        points.append((math.radians(latitude), math.radians(longitude)))
    return points


def distance(text: str) -> float:
    points = _points(text)
    if points is None:
        return math.nan
    total = 0.0
    for (lat1, lon1), (lat2, lon2) in zip(points, points[1:], strict=False):
        half = (math.sin((lat2 - lat1) / 2) ** 2
                + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)  # fmt: skip
        total += 2 * RADIUS * math.asin(math.sqrt(half))
    return total


def area(text: str) -> float:
    points = _points(text)
    if points is None:
        return math.nan
    if points[0] != points[-1]:
        points.append(points[0])
    total = sum(
        (lon2 - lon1) * (2 + math.sin(lat1) + math.sin(lat2))
        for (lat1, lon1), (lat2, lon2) in zip(points, points[1:], strict=False)
    )
    return abs(total * RADIUS * RADIUS / 2)
