"""Ally: help for people being harassed to get it stopped."""

__version__ = "0.1.0"
