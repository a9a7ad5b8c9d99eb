"""The developers' in-page Python console: its engine, its state and its panel."""
