"""python -m pipeline.sandbox [--host H] [--port P] [--seed N]

Clock from $BACKBONE_SANDBOX_NOW, faults from $BACKBONE_SANDBOX_FAULTS.
"""

from __future__ import annotations

import argparse

from .app import Sandbox
from .server import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pipeline.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    serve(Sandbox(seed=args.seed), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
