"""Tests of app/browser."""
