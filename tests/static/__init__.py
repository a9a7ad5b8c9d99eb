"""Tests of static."""
