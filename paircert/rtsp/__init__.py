"""RTSP 1.0 (RFC 2326) for every side of paircert: sans-I/O core, packet classes, asyncio shells."""
