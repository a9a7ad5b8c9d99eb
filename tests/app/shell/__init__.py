"""Tests of app/shell."""
