"""Packaging: the built wheel, installed without -e, works like the checkout."""
