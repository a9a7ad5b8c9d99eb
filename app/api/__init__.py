"""PlaceOS's API: the HTTP client, the answers the loader asked for early, and the realtime websocket."""
