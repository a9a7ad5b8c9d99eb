"""The auth doctor: what is wrong with a sign-in, found by checks against PlaceOS, and its panel."""
