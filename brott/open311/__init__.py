"""Open311 GeoReport v2: the council's residents' reports for report apps and case systems."""
