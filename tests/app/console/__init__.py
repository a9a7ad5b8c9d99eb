"""Tests of app/console."""
