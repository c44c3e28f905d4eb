"""Community reports from the web site into the warehouse: the export format and its loader."""
