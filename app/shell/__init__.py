"""The controller and the units it composes: the sign-in's return, the session keeper, other tabs."""
