"""Work over many independent files on every core, with results in the order of the inputs.

Used where the work per file is pure (read, parse, check): forking pays for itself only past
a few hundred files, so smaller runs (the pre-commit hook's handful) stay in one process.

The items are split in as many even, contiguous parts as there are processes; this process
works through the first part while forked children work through the others, then reads their
results, pickled, from a pipe each, in order, so the output is the same as one process's.
Done with its own part, this process asks each child in turn for what it has not started, and
takes the second half of that: the parts end together though the children also pickle.
Work of another kind that this process has to do anyway (a plan's state read) can be given to
`alongside`: the next map of enough items to fork for runs it here, as this process's part,
while one child fewer works through the items.
Not `multiprocessing.Pool`: its task and result threads compete with the parent for the GIL
and its parent only waits, so on two cores it cost as much as it saved (10,000 specs: 2.0 s of
CPU in one process, 2.7 s over the pool, for 15% less wall time). A child inherits the function
and its inputs; only its results travel.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

if TYPE_CHECKING:
    import mmap

T = TypeVar("T")
R = TypeVar("R")

# Below this many items per process, forking and sending the results back costs about what it
# saves (one spec is about a tenth of a millisecond of work).
MIN_ITEMS_PER_WORKER = 200


def available_cores() -> int:
    """The cores this process may run on (a container's or taskset's share, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def workers_for(items: int, jobs: int | None) -> int:
    """How many processes to use: `jobs` when given, else one per core the items pay for."""
    if jobs is not None:
        return max(1, min(jobs, items))
    return max(1, min(available_cores(), items // MIN_ITEMS_PER_WORKER))


class Alongside(Generic[R]):
    """A task whose result is wanted after a map: run at most once, where it costs least.

    ``short``: a task shorter than this process's part of a map (reading one small file), run
    before that part rather than instead of it.
    """

    def __init__(self, task: Callable[[], R], *, short: bool = False) -> None:
        self.short = short
        self._task: Callable[[], R] | None = task
        self._result: R | None = None
        self._error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self._task is None

    def run(self) -> None:
        # An error is kept for `result`, so that it surfaces where the caller would have run
        # the task itself (after the map's own errors are reported), not in the middle of a map.
        task, self._task = self._task, None
        if task is None:
            return
        try:
            self._result = task()
        except BaseException as exc:  # re-raised, as it was, by result()
            self._error = exc
            if not isinstance(exc, Exception):
                raise  # an interrupt stops the map too (its children are stopped and reaped)

    def result(self) -> R:
        """The task's result, running it now if no map did; its exception, if it raised one."""
        self.run()
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]


# Tasks handed to `alongside` that no map has run yet, oldest first.
_pending: list[Alongside[Any]] = []


@contextlib.contextmanager
def alongside(task: Callable[[], R], *, short: bool = False) -> Iterator[Alongside[R]]:
    """Run `task` in this process while the children of the next `ordered_map` inside the block
    of at least MIN_ITEMS_PER_WORKER items (and not jobs=1) work, instead of waiting for them;
    `.result()` gives its result (running it then if nothing forked). For independent work of
    this process's that would otherwise follow the map: a plan's state read while the specs are
    checked on the other cores.

    A task is worth a child of its own even when the items alone are not; a ``short`` one
    is not: it runs before this process's part of a map that forks anyway, and that part stays
    this process's (unless another task, not short, gives it away)."""
    work = Alongside(task, short=short)
    _pending.append(work)
    try:
        yield work
    finally:
        _pending.remove(work)


def _can_fork() -> bool:
    # Forking a process that runs other threads copies their locks in whatever state they are:
    # only a single-threaded process forks (the CLI is one; a test harness may not be).
    return hasattr(os, "fork") and threading.active_count() == 1


def ordered_map(func: Callable[[T], R], items: Sequence[T], *, jobs: int | None = None) -> list[R]:
    """`[func(item) for item in items]`, over several processes when there are enough items.

    `jobs`: the number of processes (1: this one only); None chooses from the cores and the
    number of items. Exceptions in `func` propagate as they would in one process: a part whose
    child failed is worked through again here.
    """
    workers = workers_for(len(items), jobs)
    enough = jobs != 1 and len(items) >= MIN_ITEMS_PER_WORKER
    tasks = [t for t in _pending if not t.done] if enough else []
    # Other work of this process's is worth a child even when the items alone are not.
    long_tasks = any(not t.short for t in tasks)
    if (workers <= 1 and not long_tasks) or not _can_fork():
        return [func(item) for item in items]
    if long_tasks:
        # The task is this process's part: the items go to the other processes, one child
        # fewer. A child per core beside it made three processes share two cores, and the plan
        # waits for the state this process reads (alternated, 1,000 apps: 0.468 s against
        # 0.490 s, median of 21; the one child ends the specs when the state is read).
        workers = max(1, workers - 1)
    size = len(items)
    bounds = [(size * k // workers, size * (k + 1) // workers) for k in range(workers)]
    if long_tasks:
        bounds.insert(0, (0, 0))  # every part to a child
    import mmap  # here: a map that does not fork (the pre-commit hook's) never needs it

    try:
        # One byte per child, shared with it: set when this process asks for what it has left.
        asks = mmap.mmap(-1, len(bounds) - 1)
    except OSError:  # no memory to map: one process does it all
        return [func(item) for item in items]
    # a child not collected yet; None: collected, or its part is this one's
    children: list[_Child | None] = []
    try:
        for k, (lo, hi) in enumerate(bounds[1:]):
            pipes = [c.fd for c in children if c]
            children.append(_fork(func, items, lo, hi, asks, k, pipes))
        for task in tasks:
            task.run()
        out = [func(items[i]) for i in range(*bounds[0])]
        for k, (lo, hi) in enumerate(bounds[1:]):
            child, children[k] = children[k], None  # _collect reaps it, whatever happens
            if child is None:
                out += [func(items[i]) for i in range(lo, hi)]
            else:
                out += _collect(child, func, items, lo, hi, asks)
        return out
    finally:
        for child in children:  # an exception (a Ctrl-C) here: stop those not collected
            if child is not None:
                _stop(child.pid, child.fd)
        asks.close()


class _Child(NamedTuple):
    pid: int
    fd: int  # the read end of the pipe its part's end, then its results, come back on
    slot: int  # its byte in `asks`


# A child first sends where its part ends (8 bytes), then its results: the end is its part's
# unless this process asked for some of it first.
_END = 8


def _fork(
    func: Callable[[Any], Any],
    items: Sequence[Any],
    lo: int,
    hi: int,
    asks: mmap.mmap,
    slot: int,
    others: list[int],
) -> _Child | None:
    """A child working through items[lo:hi], or through its first items only if this process
    asks (sets `asks[slot]`) before it is done: then it keeps half of what it has not started
    and leaves the rest to this process. None when no process can be started (the part is then
    this process's). `others`: the pipes of the children started before, which this one closes."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:  # EAGAIN, ENOMEM: a machine at its limits can still work in one process
        os.close(read_end)
        os.close(write_end)
        return None
    if pid:
        os.close(write_end)
        return _Child(pid, read_end, slot)
    # The child: its results on the pipe, then out at once (os._exit), without running this
    # process's exit handlers or flushing its buffers, which belong to the parent.
    code = 1
    try:
        for fd in (read_end, *others):
            os.close(fd)
        _pending.clear()  # the parent's tasks are the parent's: a map in this child runs none
        results = []
        end, told, i = hi, False, lo
        while i < end:
            if not told and asks[slot]:  # a byte read: no system call per item
                end = i + (end - i) // 2
                _send(write_end, end.to_bytes(_END, "little"))
                told = True
                continue
            results.append(func(items[i]))
            i += 1
        if not told:
            _send(write_end, end.to_bytes(_END, "little"))
        _send(write_end, pickle.dumps(results, pickle.HIGHEST_PROTOCOL))
        code = 0
    finally:
        os._exit(code)


def _send(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _receive(fd: int, size: int | None = None) -> bytes:
    """`size` bytes from the pipe, or all it holds (None); fewer when it ends first."""
    data = bytearray()
    while size is None or len(data) < size:
        chunk = os.read(fd, 1 << 20 if size is None else size - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def _collect(
    child: _Child,
    func: Callable[[Any], Any],
    items: Sequence[Any],
    lo: int,
    hi: int,
    asks: mmap.mmap,
) -> list[Any]:
    """items[lo:hi] worked through: the child's results, and what it left this process once
    asked (its part's second half, less what it had done). A part the child did not send back
    (it failed: an exception, a signal) is worked through here, where the exception propagates
    as in one process; one in this process's share is raised after it, as its items come after.
    The child is reaped and its pipe closed whatever happens, stopped first if this process is
    interrupted.

    Asking pays where this process is done first: its own part needs no pickling, or its task
    (a plan's state read) ended before the child's part did. The gain is small: alternated with
    the split alone on the same files, a plan of 1,000 apps took 1.5-2.5% less (medians of 61
    runs, twice), a validate of 10,000 specs from 2% more to 9% less (medians of 11 and 15 runs,
    three times); see docs/performance.md, 2026-12-04."""
    share: list[Any] = []
    error: BaseException | None = None
    try:
        asks[child.slot] = 1
        head = _receive(child.fd, _END)
        end = int.from_bytes(head, "little") if len(head) == _END else hi
        end = end if lo <= end <= hi else hi
        try:
            share = [func(items[i]) for i in range(end, hi)]
        except KeyboardInterrupt:  # an interrupt stops the map at once
            raise
        except BaseException as exc:  # after the child's items, whose own exception comes first
            error = exc
        data = _receive(child.fd)
        _, status = os.waitpid(child.pid, 0)
    except BaseException:
        _stop(child.pid, None)
        raise
    finally:
        os.close(child.fd)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        part: list[Any] = pickle.loads(data)
    else:
        part = [func(items[i]) for i in range(lo, end)]
    if error is not None:
        raise error
    return part + share


def _stop(pid: int, fd: int | None) -> None:
    """Kill and reap a child, and close its pipe (None: the caller closes it)."""
    if fd is not None:
        os.close(fd)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a batch job that makes many small objects and no
    cycles worth collecting: left on, it walks the growing heap again and again (half of a
    10,000-app plan's time, 7% of a 10,000-spec validate)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What the batch made outlives it (the specs it loaded, the plan it built): moved out
        # of the collector's sight, or the first collection after it walks every one of them
        # (0.1 s after 10,000 specs, on one core, once the children are done). Reference counting
        # still frees them; only a cycle among them would wait for the process's end.
        gc.freeze()
        if was_enabled:
            gc.enable()
