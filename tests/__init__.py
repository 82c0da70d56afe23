"""Duban tests."""
