"""Partner intelligence (issue 14): Community Partnership Intelligence forms, need to know."""
