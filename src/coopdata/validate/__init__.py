"""Validation: one entry point, the table checks and SHACL, on the fast engine or on
the reference engine."""
