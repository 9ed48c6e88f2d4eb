"""`[keys]`: the dashboard's keys, remapped by binding id (as posting and Textual do).

    [keys]
    refresh = "f5"
    quit = "ctrl+q,q"

The ids are listed here, not read from the app, so a config loads without Textual;
a test checks this list against every binding the app defines.
"""

from __future__ import annotations

import re

KEY_IDS = frozenset(
    {
        # The dashboard (tui.app.app, and each pair's row).
        "refresh",
        "insights",
        "segments",
        "balance",
        "internal",
        "theme",
        "help",
        "period",
        "screenshot",
        "quit",
        "details",
        "next-pair",
        "previous-pair",
        # Screens: detail, segments, insights, help.
        "back",
        "previous-segment",
        "next-segment",
        "sort-gap",
        "sort-change",
        "sort-name",
        "close-help",
    }
)

# Textual's key names ("f5", "ctrl+r", "question_mark"), one or more, comma-separated.
_KEYS = re.compile(r"^[a-z0-9_]+(\+[a-z0-9_]+)*(,[a-z0-9_]+(\+[a-z0-9_]+)*)*$")


def check_keys(keys: dict[str, str]) -> dict[str, str]:
    for binding_id, key in keys.items():
        if binding_id not in KEY_IDS:
            known = ", ".join(sorted(KEY_IDS))
            raise ValueError(f"{binding_id}: no such key binding; known: {known}")
        if not _KEYS.match(key):
            raise ValueError(
                f'{binding_id}: expected key names such as "f5", "ctrl+r" or "f5,ctrl+r", '
                f"got {key!r}"
            )
    return keys
