"""Measurements of paircert itself: ``python -m paircert.bench`` compares generated-case throughput."""
