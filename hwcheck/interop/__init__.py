"""hwcheck's meeting points with other tools: what they write read as hwcheck documents, and
hwcheck plugged into them."""
