"""hwcheck in other tools' formats."""
