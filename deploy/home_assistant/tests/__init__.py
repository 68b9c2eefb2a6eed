"""Tests of the Heart to Heart integration in a real Home Assistant, against the real server."""
