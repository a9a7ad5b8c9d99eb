"""The app's foundation: configuration, errors, the ports to the world, redaction, URL helpers. It imports
nothing else in app/."""
