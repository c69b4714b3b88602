"""``paircert selfcheck``: how many of the emulator's seeded faults the suite notices (the kill matrix)."""
