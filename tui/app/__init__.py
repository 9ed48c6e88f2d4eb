"""The Textual layer: renders what the store holds; never fetches or computes by itself."""

from tui.app.app import TandemApp

__all__ = ["TandemApp"]
