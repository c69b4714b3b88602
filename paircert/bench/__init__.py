"""``paircert bench``: stream latency, radar throughput, API and generation speed, on one clock."""
