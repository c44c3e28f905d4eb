"""The observatory's pages, one module per subject."""
