"""One ``generate`` at a time per output folder.

``write_tree`` builds the new tree in a sibling folder and swaps it in, and first removes what
a crashed run left beside the output folder: two runs at once would remove each other's
staging folder, or swap in trees from different inputs. So ``generate`` holds an exclusive
lock while it reads the released state, renders and writes, and ``generate --check`` a shared
one (it must not read a tree being swapped). A second run waits, as cargo waits for its build
folder, after saying so.

The lock is ``flock`` on the output folder's parent directory (its nearest existing ancestor
before the first run): the output folder itself is replaced by each run, and a lock file
would be one more file in the user's repository. Where
``fcntl`` does not exist (Windows) there is no lock.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["output_lock"]


def _locked_folder(out_dir: Path) -> Path:
    """The output folder's parent, or its nearest existing ancestor: the lock creates no
    folder (a run refused for bad input leaves the disk as it was)."""
    real = out_dir.resolve() if out_dir.is_symlink() else out_dir.absolute()
    folder = real.parent
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    return folder


@contextmanager
def output_lock(out_dir: Path, *, exclusive: bool, on_wait: Callable[[], None]) -> Iterator[None]:
    """Hold the lock of ``out_dir`` (exclusive to write, shared to read); ``on_wait`` is
    called once if another run holds it first."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        fd = os.open(_locked_folder(out_dir), os.O_RDONLY)
    except OSError:  # a folder that cannot be opened: writing the tree says so in its words
        yield
        return
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(fd, mode)
        except OSError:  # a file system without locks (some network mounts): run unlocked
            pass
        yield
    finally:
        os.close(fd)  # releases the lock
