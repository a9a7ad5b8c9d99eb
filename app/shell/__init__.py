"""The controller and the units it composes: the sign-in's return, the token's upkeep, other tabs, live state."""
