"""Load the paircert pytest plugin for every pytest run from the repository root."""

pytest_plugins = ["paircert.plugin"]
