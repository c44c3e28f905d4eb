"""Management commands of the site app: demo_site."""
