"""The ``safecity`` command-line interface."""
