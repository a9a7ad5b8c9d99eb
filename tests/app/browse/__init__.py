"""Tests of app/browse."""
