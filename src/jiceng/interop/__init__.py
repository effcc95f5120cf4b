"""Interoperability: Open311 GeoReport v2 and tabular 311/12345 exports."""

__all__: list[str] = []
