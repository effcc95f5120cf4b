"""Helpers shared by the interop modules (private): places and coordinates in ``Task.location``.

A task keeps its place as one string. When a source gives coordinates as well, interop writes them at
the end of that string as ``"<address> @<lat>,<long>"`` (WGS 84 degrees, shortest exact ``repr``), so
that they survive a round trip and a person can still read the address.

>>> place = format_location("8TH AVE and JUDAH ST", (37.762221815, -122.4651145))
>>> place
'8TH AVE and JUDAH ST @37.762221815,-122.4651145'
>>> split_location(place)
('8TH AVE and JUDAH ST', (37.762221815, -122.4651145))
>>> split_location("望京西园社区")
('望京西园社区', None)
"""

from __future__ import annotations

import math
import re

__all__ = ["check_coordinates", "format_location", "split_location"]

_NUMBER = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_TAIL = re.compile(rf"^(?P<address>.*?)\s*@(?P<lat>{_NUMBER}),(?P<long>{_NUMBER})$", re.DOTALL)


def check_coordinates(lat: float, long: float) -> str | None:
    """Return why ``(lat, long)`` is not a WGS 84 position, or ``None`` when it is one."""
    if not (math.isfinite(lat) and math.isfinite(long)):
        return "coordinates must be finite numbers"
    if not -90.0 <= lat <= 90.0:
        return "latitude must be within [-90, 90]"
    if not -180.0 <= long <= 180.0:
        return "longitude must be within [-180, 180]"
    return None


def format_location(address: str, coordinates: tuple[float, float] | None) -> str:
    """Join an address and optional ``(lat, long)`` into one ``Task.location`` string."""
    address = address.strip()
    if coordinates is None:
        return address
    lat, long = coordinates
    tail = f"@{float(lat)!r},{float(long)!r}"
    return f"{address} {tail}" if address else tail


def split_location(location: str) -> tuple[str, tuple[float, float] | None]:
    """Split a ``Task.location`` string back into its address and optional ``(lat, long)``."""
    match = _TAIL.match(location)
    if match is None:
        return location, None
    lat, long = float(match["lat"]), float(match["long"])
    if check_coordinates(lat, long) is not None:
        return location, None
    return match["address"], (lat, long)
