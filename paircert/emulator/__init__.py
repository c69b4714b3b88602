"""The reference device: camera pairing (DCA REST), radar pairing (JSON CGI) and discovery over ASGI."""
