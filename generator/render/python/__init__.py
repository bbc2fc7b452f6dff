"""Python package rendering: dcg model classes plus Jinja templates."""
