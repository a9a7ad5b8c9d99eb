"""The element tree that can only make text, the screens it draws, and the words for a room's state."""
