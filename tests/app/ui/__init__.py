"""Tests of app/ui."""
