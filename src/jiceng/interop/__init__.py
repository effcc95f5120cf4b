"""Interoperability: Open311 GeoReport v2 and tabular 311/12345 exports.

- :mod:`jiceng.interop.open311`: tasks to and from GeoReport v2 service requests, ``GET /services``
  from a responsibility list, service definitions, and :class:`~jiceng.errors.Open311Error`.
- :mod:`jiceng.interop.records`: replay rows of a 311 / 12345 export as tasks with a
  :class:`~jiceng.interop.records.FieldMap`.
"""

from __future__ import annotations

from jiceng.interop.open311 import (
    Open311Error,
    from_open311,
    loads_lenient,
    service_definition,
    services_from_responsibilities,
    to_open311,
)
from jiceng.interop.records import FieldMap, ImportResult, RecordError, from_records

__all__ = [
    "FieldMap",
    "ImportResult",
    "Open311Error",
    "RecordError",
    "from_open311",
    "from_records",
    "loads_lenient",
    "service_definition",
    "services_from_responsibilities",
    "to_open311",
]
