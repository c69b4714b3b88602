"""The external devices a paired device pulls from: a peer camera and a peer radar, with faults and records."""
