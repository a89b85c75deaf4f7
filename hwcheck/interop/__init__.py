"""hwcheck's meeting points with other tools: what they write read as hwcheck documents
(an Ironic inventory), hwcheck plugged into them (ironic-python-agent), and hwcheck's
results in their formats (NFD feature files, Prometheus textfile metrics)."""
