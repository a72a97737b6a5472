"""Deconfliction: identifiers (normalise + blind), the register, the matcher, conflicts."""
