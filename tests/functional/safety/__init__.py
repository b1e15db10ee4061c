"""Untrusted files (shared runs and data folders) never run code in the user's account."""
