"""Vendor write state that outlives a process: $BACKBONE_SANDBOX_STATE names the file.

Why: `make demo` run twice must find in the simulated HubSpot and Xero what the first run wrote
(its lists, properties, contacts, tasks, deal edits and invoices), as a real portal and
organisation would keep them. Unset, every Sandbox keeps its writes in memory, as before.

The file is a pickle of every vendor's whole state objects (HubSpotState and XeroState per
business, all their fields but locks, so a field added later is kept without touching this
module) with the seed they were written under. It is written atomically (a temporary file, then
os.replace) under a lock after each successful write, and re-read before a request whenever it
changed on disk, so several Sandboxes (one per clock) or processes sharing it see each other's
writes. The unpickler admits only the sandbox's own classes and plain builtins, so a stray or
hostile file is refused rather than run.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the in-process lock only
    fcntl = None  # type: ignore[assignment]

STATE_ENV = "BACKBONE_SANDBOX_STATE"
FORMAT = "backbone-sandbox-state/1"
_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))
_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


_BUILTINS = {
    ("builtins", n) for n in ("dict", "list", "set", "frozenset", "tuple", "str", "int", "bool")
} | {("decimal", "Decimal"), ("datetime", "datetime"), ("datetime", "date")}
_BUILTINS |= {("datetime", "timezone"), ("datetime", "timedelta"), ("collections", "OrderedDict")}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("sandbox.") or (module, name) in _BUILTINS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not sandbox state")


class StateFileError(ValueError):
    """The state file cannot be used; the message is one line naming the file."""


def plain(state: Any) -> dict[str, Any]:
    """An object's fields without its locks (locks cannot be pickled and mean nothing later)."""
    return {k: v for k, v in vars(state).items() if not isinstance(v, _LOCK_TYPES)}


def restore(fresh: Any, fields: dict[str, Any]) -> Any:
    """`fresh` (a new default object, with its own lock) given the saved fields."""
    for name, value in fields.items():
        setattr(fresh, name, value)
    return fresh


@dataclass
class Signature:
    """What identifies one version of the file on disk."""

    inode: int
    size: int
    mtime_ns: int


def _signature(path: Path) -> Signature | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return Signature(st.st_ino, st.st_size, st.st_mtime_ns)


class StateFile:
    def __init__(self, path: Path, seed: int) -> None:
        self.path = path
        self.seed = seed
        self.seen: Signature | None = None
        with _PROCESS_LOCKS_GUARD:
            self._lock = _PROCESS_LOCKS.setdefault(str(path.resolve()), threading.Lock())

    @classmethod
    def from_env(cls, seed: int) -> StateFile | None:
        raw = os.environ.get(STATE_ENV, "").strip()
        return cls(Path(raw), seed) if raw else None

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """This process's threads and other processes, one at a time."""
        with self._lock:
            if fcntl is None:
                yield
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(f"{self.path}.lock", "a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def changed(self) -> bool:
        return _signature(self.path) != self.seen

    def load(self) -> dict[str, Any] | None:
        """The saved vendor states ({"hubspot": {...}, "xero": {...}}), None if no file yet."""
        signature = _signature(self.path)
        if signature is None:
            self.seen = None
            return None
        try:
            with open(self.path, "rb") as handle:
                saved = _Unpickler(handle).load()
        except Exception as exc:  # any unpickling failure means the same: not our file
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
            raise StateFileError(f"{self.path}: not a sandbox state file ({reason})") from None
        if not isinstance(saved, dict) or saved.get("format") != FORMAT:
            raise StateFileError(f"{self.path}: not a sandbox state file (no {FORMAT} header)")
        if saved.get("seed") != self.seed:
            raise StateFileError(
                f"{self.path}: written by a sandbox with seed {saved.get('seed')}, "
                f"this one has seed {self.seed}; remove the file or use that seed"
            )
        self.seen = signature
        return saved["vendors"]

    def save(self, vendors: dict[str, Any]) -> None:
        """Atomically: readers see the old file or the new one, never half of one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}")
        payload = {"format": FORMAT, "seed": self.seed, "vendors": vendors}
        with open(temp, "wb") as handle:
            pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, self.path)
        self.seen = _signature(self.path)
