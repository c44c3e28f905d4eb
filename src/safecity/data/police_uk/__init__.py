"""data.police.uk files: street-level crime and ASB, outcomes, and stop and search."""
