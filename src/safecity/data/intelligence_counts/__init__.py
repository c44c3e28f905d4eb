"""Partner-intelligence counts from the web site into the warehouse: the export and its loader."""
