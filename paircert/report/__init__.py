"""Turns a suite run into artifacts: results.json, the HTML page (Jinja2), and the records both read."""
