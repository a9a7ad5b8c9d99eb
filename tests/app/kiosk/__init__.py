"""Tests of app/kiosk."""
