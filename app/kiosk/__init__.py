"""The kiosk board: rooms and their live state on a wall display that never needs a person."""
