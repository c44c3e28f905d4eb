"""Settings by environment: ``development`` (the demo), ``production`` and ``test``."""
