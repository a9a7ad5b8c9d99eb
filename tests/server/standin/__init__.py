"""Tests of server/standin."""
