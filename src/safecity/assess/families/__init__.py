"""The figure families of a Strategic Assessment, each computed from aggregated counts."""
