"""Declaration of conformance: the vendor's claims, the run's verdicts, and hashes anyone can check.

``claims`` reads the vendor's TOML claims file; ``build`` turns a finished run (results.json,
the ledger, what the end-of-run probe discovered) into the declaration; ``write`` seals it and
writes declaration.json and declaration.html; ``verify`` is ``paircert verify``. It imports the
schemas and the ledger, never the plugin, the clients or the emulator: the plugin hands it plain
data, and ``paircert verify`` runs without a device.
"""
