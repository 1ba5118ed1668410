"""Generators of data files from vendored sources (the U.S. Code text of the statute)."""
