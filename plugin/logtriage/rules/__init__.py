"""Shipped rule files (data only)."""
