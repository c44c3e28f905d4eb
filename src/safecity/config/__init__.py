"""Configuration shipped as data (YAML) with the package."""
