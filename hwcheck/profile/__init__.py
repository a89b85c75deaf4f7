"""profile package."""
