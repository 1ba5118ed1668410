"""Tests for imet_kg.publish (a package, so its conftest.py does not shadow tests/conftest.py)."""
