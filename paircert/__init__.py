"""paircert: conformance suite and reference emulator for Axis camera and radar pairing APIs."""
