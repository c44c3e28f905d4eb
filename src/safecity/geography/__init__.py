"""Area codes (GSS), vintages and coordinate reference systems."""
