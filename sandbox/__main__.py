"""python -m sandbox serve [--host H] [--port P] [--seed N] [--faults SPEC]

Clock from $BACKBONE_SANDBOX_NOW, faults from $BACKBONE_SANDBOX_FAULTS.
"""

from __future__ import annotations

from .plugin import main

if __name__ == "__main__":
    raise SystemExit(main())
