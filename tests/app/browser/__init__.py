"""Tests of app/browser/, run where it runs: in Pyodide in a real page (tests/app/browser/page.py)."""
