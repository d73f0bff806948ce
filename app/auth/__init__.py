"""Signing in, roles, and personal API tokens."""
