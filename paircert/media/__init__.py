"""Live media for the peers: one shared H.264 encoder per camera and ONVIF metadata frames per radar sweep."""
