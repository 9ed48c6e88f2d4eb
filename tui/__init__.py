"""Tandem: employee health beside customer health, in the terminal."""

__version__ = "0.1.0"
