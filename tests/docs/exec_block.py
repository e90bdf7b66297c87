"""Run one Python block as a script in the working directory (its `argv[1]`).

Top-level ``await`` is allowed, as in ``python -m asyncio``, so a block can
show ``await sig.connect()`` the way a reader types it; the working directory
is on ``sys.path``, so a block imports the modules earlier blocks wrote.
"""

import ast
import asyncio
import sys
from pathlib import Path
from typing import Any


def main() -> None:
    path = Path(sys.argv[1])
    sys.argv = sys.argv[1:]
    sys.path.insert(0, str(Path.cwd()))
    code = compile(
        path.read_text(), str(path), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    )
    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": str(path)}
    result = eval(code, namespace)  # a coroutine when the block awaits
    if asyncio.iscoroutine(result):
        asyncio.run(result)


if __name__ == "__main__":
    main()
