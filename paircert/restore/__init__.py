"""Devices in use: snapshot what a run would remove, journal it, put it back and prove it is back."""
