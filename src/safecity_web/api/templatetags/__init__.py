"""Template filters of the api app."""
