"""Distances on the ground between points given in WGS 84 degrees, and the latitude and
longitude band that holds every point within a distance (for an index, before measuring)."""

import math

EARTH_RADIUS_M = 6_371_000
METRES_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_M / 180


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points in metres."""
    p1, q1, p2, q2 = (math.radians(value) for value in (lat1, lon1, lat2, lon2))
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((q2 - q1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box holding every point within `radius_m`."""
    dlat = radius_m / METRES_PER_DEGREE_LATITUDE
    cos_lat = max(math.cos(math.radians(min(89.0, abs(lat) + dlat))), 1e-6)
    dlon = dlat / cos_lat
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
