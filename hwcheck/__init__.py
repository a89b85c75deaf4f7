"""hwcheck: hardware reference-architecture validator for private clouds."""

__version__ = "0.1.0"
