"""Provides file helpers shared by the config, the state database and the demo authority."""

from __future__ import annotations

from pathlib import Path


def keep_aside(path: Path) -> Path:
    """Moves an unusable file (and a database's -wal/-shm) to `<name>.corrupt-N`; returns it.

    Nothing the user may need is ever deleted: the damaged file stays next to the new one.
    """
    n = 1
    while (kept := path.with_name(f"{path.name}.corrupt-{n}")).exists():
        n += 1
    path.replace(kept)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(kept.with_name(kept.name + suffix))
    return kept
