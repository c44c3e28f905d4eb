"""Open311 GeoReport v2: the civic reporting API through which registered apps submit reports."""
