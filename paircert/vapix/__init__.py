"""VAPIX facts shared by every simulated device (the emulator and the peers): no I/O, no framework."""
