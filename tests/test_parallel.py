"""Checking specs over several processes gives the report one process gives, byte for byte."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.project_copy import copy_project

# Specs that break one rule each (as top-level entries that replace the generated ones), or
# whole files that cannot be read; spread over the folder so that every worker gets some.
BROKEN: list[dict[str, str] | str] = [
    {"scopes": "[api:data:nope]"},  # unknown scope
    {"scopes": "[api:data:company, api:data:company]"},  # listed twice
    {"label": "[not, text]"},  # wrong type
    {"colour": "blue"},  # unknown field
    {"environments": "[qa]"},  # no such stack
    {"client": "\n  kind: web\n  redirect_uris: ['http://crm.acme.example/cb']"},
    {"client": "\n  kind: spa\n  redirect_uris: [http://localhost:3000/cb]"},  # prod refuses
    {"owner": "&a team@acme.example"},  # an anchor
    "name: one\nname: two\n",  # repeated key
    "name: [\n",  # YAML syntax
    "",  # empty file
]


def _spec(i: int, changes: dict[str, str] | None = None) -> str:
    name = f"gen-{i:04d}"
    fields = {
        "name": name,
        "label": f"Generated {i}",
        "type": "partner" if i % 7 == 0 else "internal",
        "owner": "team@acme.example",
        "client": f"\n  kind: web\n  redirect_uris: [https://{name}.acme.example/cb]",
        "scopes": "[api:data:company]",
        **(changes or {}),
    }
    return "".join(f"{key}: {value}\n" for key, value in fields.items())


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("parallel"))
    apps = root / "app-specs" / "apps"
    for i in range(1200):
        broken = BROKEN[(i // 37) % len(BROKEN)] if i % 37 == 0 else {}
        text = broken if isinstance(broken, str) else _spec(i, broken)
        (apps / f"gen-{i:04d}.yaml").write_text(text, encoding="utf-8")
    (apps / "gen-0003.yaml").rename(apps / "gen-0003.yml")  # ignored, with a warning
    (apps / "gen-0005.yaml").write_text(_spec(6), encoding="utf-8")  # not its file's name
    return root


def _validate(root: Path, fmt: str, jobs: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "appspecs", "validate", "--format", fmt, "--jobs", str(jobs)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_two_processes_report_what_one_reports(project: Path, fmt: str) -> None:
    one = _validate(project, fmt, 1)
    two = _validate(project, fmt, 2)
    assert one.returncode == 1, one.stderr
    assert "gen-0037.yaml" in one.stdout and "gen-0003.yml" in one.stdout
    assert (two.returncode, two.stdout, two.stderr) == (one.returncode, one.stdout, one.stderr)


# Who worked through the items, in order: (pid, how many in a row).
RUNS = (
    "import itertools\n"
    "def runs(pids):\n"
    "    return [(p, len(list(g))) for p, g in itertools.groupby(pids)]\n"
)

# A child slower per item than this process (as a child, which also pickles its results, is).
LAGGING_CHILD = (
    "import os, time\n"
    "from appspecs.parallel import ordered_map\n"
    "me = os.getpid()\n"
    "def lag():\n"
    "    if os.getpid() != me:\n"
    "        time.sleep(0.002)\n"
)


def test_the_work_is_shared_with_a_forked_process_and_keeps_the_order() -> None:
    # A new process: it only forks when it runs no other thread, as the CLI is. Done with its
    # half, it asks the child for what the child has not started and takes the second half of
    # that: the child keeps at least half of its part, which stays the first of it.
    code = RUNS + (
        "import os\n"
        "from appspecs.parallel import ordered_map\n"
        "out = ordered_map(lambda i: (i, os.getpid()), range(1000), jobs=2)\n"
        "assert [i for i, _ in out] == list(range(1000))\n"
        "me = os.getpid()\n"
        "(here, first), (child, kept), *rest = runs(p for _, p in out)\n"
        "assert (here, first) == (me, 500), 'the first half is this process s'\n"
        "assert child != me and 250 <= kept <= 500, (child, kept)\n"
        "assert rest == ([(me, 500 - kept)] if kept < 500 else []), rest\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr


def test_a_child_that_lags_leaves_half_of_what_it_has_left_to_this_process() -> None:
    # The child's items are slow (as its results, which it also pickles, are slower to come
    # than this process's own): asked once this process is done, it has started few of its
    # 500 and keeps half of the rest; this process works through the other half meanwhile.
    code = (
        RUNS
        + LAGGING_CHILD
        + (
            "def f(i):\n"
            "    lag()\n"
            "    return os.getpid()\n"
            "out = ordered_map(f, range(1000), jobs=2)\n"
            "(here, first), (child, kept), (last, left) = runs(out)\n"
            "assert (here, first, last) == (me, 500, me) and child != me\n"
            "assert 250 <= kept < 500 and kept + left == 500, (kept, left)\n"
            "print('ok')\n"
        )
    )
    done = _run(code)
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", "")


def test_an_exception_in_this_process_s_share_comes_after_the_child_s_own() -> None:
    # Item 950 fails (SystemExit, not an Exception) in the share this process took from the
    # child, item 700 in the child's own items: as one process, the map raises item 700's,
    # though 950 failed first.
    code = LAGGING_CHILD + (
        "tried = []\n"
        "def f(i):\n"
        "    lag()\n"
        "    if os.getpid() == me:\n"
        "        tried.append(i)\n"
        "    if i == 700:\n"
        "        raise ValueError('item 700')\n"
        "    if i == 950:\n"
        "        raise SystemExit('item 950')\n"
        "    return i\n"
        "try:\n"
        "    ordered_map(f, range(1000), jobs=2)\n"
        "except BaseException as exc:\n"
        "    print(type(exc).__name__, exc, tried.index(950) < tried.index(700))\n"
    )
    done = _run(code)
    # the child failed at 700: its items were worked through again here, after the share
    assert (done.returncode, done.stdout, done.stderr) == (0, "ValueError item 700 True\n", "")


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env=os.environ
    )


def test_an_exception_in_a_forked_part_propagates_as_in_one_process() -> None:
    # The item that fails is in the child's half: the parent works that half again itself,
    # so the exception is raised here, from the first failing item, as one process raises it.
    code = (
        "from appspecs.parallel import ordered_map\n"
        "def f(i):\n"
        "    if i in (700, 900):\n"
        "        raise ValueError(f'item {i}')\n"
        "    return i\n"
        "try:\n"
        "    ordered_map(f, range(1000), jobs=2)\n"
        "except ValueError as exc:\n"
        "    print(exc)\n"
    )
    done = _run(code)
    assert (done.returncode, done.stdout, done.stderr) == (0, "item 700\n", "")


def test_a_child_that_dies_leaves_its_part_to_this_process() -> None:
    # A child killed mid-way (the OOM killer, say) sends no results: its part is worked
    # through here, and the output is whole and in order.
    code = (
        "import os, signal\n"
        "from appspecs.parallel import ordered_map\n"
        "me = os.getpid()\n"
        "def f(i):\n"
        "    if i == 600 and os.getpid() != me:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return (i, os.getpid() == me)\n"
        "out = ordered_map(f, range(1000), jobs=2)\n"
        "assert [i for i, _ in out] == list(range(1000))\n"
        "assert all(here for _, here in out), 'every item was worked through here'\n"
        "print(len(out))\n"
    )
    done = _run(code)
    assert (done.returncode, done.stdout, done.stderr) == (0, "1000\n", "")


def test_a_process_running_threads_does_not_fork() -> None:
    code = (
        "import os, threading\n"
        "from appspecs.parallel import ordered_map\n"
        "stop = threading.Event()\n"
        "t = threading.Thread(target=stop.wait); t.start()\n"
        "out = ordered_map(lambda i: os.getpid(), range(1000), jobs=2)\n"
        "stop.set(); t.join()\n"
        "assert set(out) == {os.getpid()}\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr


def test_an_interrupt_while_waiting_for_a_child_stops_and_reaps_it(tmp_path: Path) -> None:
    # The child's part hangs; Ctrl-C (here a KeyboardInterrupt raised in this process only)
    # comes while this process waits for it: the child must not run on, nor stay a zombie.
    # It comes once both are there, this process done with its own part (items 0-499) and the
    # child hanging in its first item, as a timer that looks every 10 ms finds them: not after
    # a fixed time, which a slow machine may not have reached them in.
    pid_file = tmp_path / "child.pid"
    code = (
        "import os, signal, time\n"
        "from appspecs.parallel import ordered_map\n"
        f"pid_file = {str(pid_file)!r}\n"
        "me = os.getpid()\n"
        "own_part_done = False\n"
        "def f(i):\n"
        "    global own_part_done\n"
        "    if os.getpid() != me and i == 500:\n"
        "        open(pid_file, 'w').write(str(os.getpid()))\n"
        "        time.sleep(60)\n"
        "    if os.getpid() == me and i == 499:\n"
        "        own_part_done = True\n"
        "    return i\n"
        "def interrupt_once_waiting(*_):\n"
        "    if own_part_done and os.path.exists(pid_file) and os.path.getsize(pid_file):\n"
        "        signal.setitimer(signal.ITIMER_REAL, 0)\n"
        "        raise KeyboardInterrupt\n"
        "signal.signal(signal.SIGALRM, interrupt_once_waiting)\n"
        "signal.setitimer(signal.ITIMER_REAL, 0.01, 0.01)\n"
        "try:\n"
        "    ordered_map(f, range(1000), jobs=2)\n"
        "except KeyboardInterrupt:\n"
        "    child = int(open(pid_file).read())\n"
        "    try:\n"
        "        os.waitpid(child, os.WNOHANG)\n"
        "        print('not reaped')\n"
        "    except ChildProcessError:\n"
        "        print('reaped', os.path.exists(f'/proc/{child}'))\n"
    )
    done = _run(code)
    assert (done.returncode, done.stdout, done.stderr) == (0, "reaped False\n", "")


def test_the_specs_checked_by_a_child_come_back_from_it(tmp_path: Path) -> None:
    # A child's part that fails is worked through again here, silently: so that the children's
    # work is not silently thrown away (a result that no longer pickles, say), this process
    # must have checked only its own half of the files.
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from appspecs.spec import load\n"
        "calls = []\n"
        "checked = load._load_app\n"
        "def counted(path, ctx):\n"
        "    calls.append(path)\n"
        "    return checked(path, ctx)\n"
        "load._load_app = counted\n"
        "specs = load.load_specs(Path(sys.argv[1]), jobs=2)\n"
        "print(specs.files, len(calls), len(specs.apps))\n"
    )
    root = copy_project(tmp_path)
    for i in range(600):
        text = _spec(i, {"type": "internal"})
        (root / "app-specs" / "apps" / f"gen-{i:04d}.yaml").write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", code, str(root / "app-specs")],
        capture_output=True, text=True, check=False, env=os.environ,
    )  # fmt: skip
    files, here, apps = map(int, done.stdout.split())
    # its half, and at most half of the child's part, which it asks for once done
    part = files - files // 2
    assert files > 400 and files // 2 <= here <= files // 2 + part - part // 2, done.stderr
    assert apps == files, done.stderr


# `alongside`: this process's own work (a plan's state read) while children check the specs.
ALONGSIDE = (
    "import os\n"
    "from appspecs.parallel import alongside, ordered_map\n"
    "me = os.getpid()\n"
    "events = []\n"
    "def task():\n"
    "    events.append('task')\n"
    "    # the children are forked before the task runs, and it runs in this process\n"
    "    kids = open(f'/proc/{me}/task/{me}/children').read().split()\n"
    "    return os.getpid(), len(kids)\n"
)


def _children_listed() -> bool:
    me = os.getpid()
    return os.path.exists(f"/proc/{me}/task/{me}/children")


needs_children_file = pytest.mark.skipif(
    not _children_listed(), reason="this kernel does not list a process's children in /proc"
)


@needs_children_file
# The task is one of the `jobs` processes: 1,000 items on two processes are one child's beside
# it, on three two children's; 300 pay for one child anywhere; a short task beside the long one
# changes none of it (it runs after it, here too)
@pytest.mark.parametrize(
    ("items", "jobs", "children", "short"),
    [(1000, 2, 1, False), (1000, 3, 2, False), (300, None, 1, False), (1000, 2, 1, True)],
)
def test_work_alongside_runs_here_while_children_work_through_every_part(
    items: int, jobs: int | None, children: int, short: bool
) -> None:
    beside = ", alongside(lambda: events.append('short'), short=True)" if short else ""
    code = ALONGSIDE + (
        f"with alongside(task) as work{beside}:\n"
        f"    out = ordered_map(lambda i: (i, os.getpid()), range({items}), jobs={jobs})\n"
        "    events.append('mapped')\n"
        f"assert [i for i, _ in out] == list(range({items}))\n"
        # every part is a child's; once the task is done, this process takes the second half
        # of what each has left (a child keeps the first item of its part)
        f"assert all(out[{items} * k // {children}][1] != me for k in range({children}))\n"
        "pid, forked = work.result()\n"
        "print(len({p for _, p in out} - {me}), pid == me, forked, events)\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr
    ran = "'task', 'short'" if short else "'task'"
    assert done.stdout == f"{children} True {children} [{ran}, 'mapped']\n"


def test_work_alongside_waits_for_its_result_when_nothing_forks() -> None:
    # too few items to fork for: the task runs where its result is asked for, after the map
    code = ALONGSIDE + (
        "with alongside(lambda: events.append('task') or 7) as work:\n"
        "    out = ordered_map(lambda i: os.getpid(), range(50))\n"
        "    events.append('mapped')\n"
        "    assert set(out) == {me}\n"
        "    print(work.result(), work.result(), events)\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "7 7 ['mapped', 'task']\n"  # and once only


def test_an_error_of_the_work_alongside_is_raised_where_its_result_is_asked_for() -> None:
    code = ALONGSIDE + (
        "def fails():\n"
        "    events.append('task')\n"
        "    raise LookupError('unreadable')\n"
        "with alongside(fails) as work:\n"
        "    out = ordered_map(lambda i: i * 2, range(1000))\n"
        "    events.append('mapped')\n"
        "assert out == [i * 2 for i in range(1000)]\n"
        "try:\n"
        "    work.result()\n"
        "except LookupError as exc:\n"
        "    print(exc, events)\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "unreadable ['task', 'mapped']\n"


def test_a_plan_reads_its_state_alongside_and_reports_spec_errors_first(
    project: Path, tmp_path: Path
) -> None:
    # The state is read while the specs are checked: spec errors still come first, as they
    # did when the state was read after them, and an unreadable state is still exit 2.
    state = tmp_path / "state.json"
    state.write_text("{not json", encoding="utf-8")
    plan = ["plan", "--stack", "dev", "--state", str(state)]
    broken = subprocess.run(
        [sys.executable, "-m", "appspecs", *plan], cwd=project, capture_output=True, text=True
    )  # fmt: skip
    assert broken.returncode == 1, broken.stderr
    assert "gen-0037.yaml" in broken.stdout + broken.stderr
    assert "state file" not in broken.stdout + broken.stderr
    (tmp_path / "sound").mkdir()
    sound = copy_project(tmp_path / "sound")
    for i in range(600):
        text = _spec(i, {"type": "internal"})
        (sound / "app-specs" / "apps" / f"gen-{i:04d}.yaml").write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "appspecs", *plan], cwd=sound, capture_output=True, text=True
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"state file {state}:" in done.stderr and ": not JSON: " in done.stderr
    assert "internal error" not in done.stderr  # a usage error, not a crash quoting it


def test_an_interrupt_of_the_work_alongside_stops_the_map_and_stays_its_outcome() -> None:
    code = ALONGSIDE + (
        "def interrupted():\n"
        "    raise KeyboardInterrupt\n"
        "with alongside(interrupted) as work:\n"
        "    try:\n"
        "        ordered_map(lambda i: i, range(1000), jobs=2)\n"
        "    except KeyboardInterrupt:\n"
        "        events.append('map stopped')\n"
        "try:\n"
        "    work.result()\n"
        "except KeyboardInterrupt:\n"
        "    events.append('result interrupted')\n"
        "print(events)\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "['map stopped', 'result interrupted']\n"  # never a result of None


def test_a_map_in_a_child_does_not_run_the_parent_s_work_alongside() -> None:
    code = ALONGSIDE + (
        "def nested(i):\n"
        "    # a child's own map of enough items to fork for: the parent's task is not its own\n"
        "    return sum(ordered_map(lambda j: j, range(400), jobs=2)) if i == 999 else i\n"
        "def task():\n"
        "    os.write(1, f'task in {os.getpid() == me}\\n'.encode())  # unbuffered: a child too\n"
        "with alongside(task) as work:\n"
        "    out = ordered_map(nested, range(1000), jobs=2)\n"
        "work.result()\n"
        "print(out[999], flush=True)\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"task in True\n{sum(range(400))}\n"


@needs_children_file
def test_a_short_task_runs_here_before_this_process_s_own_part() -> None:
    # A short task (a small file read) keeps this process's part of the map: it runs first,
    # once the child is forked, and the first half of the items is still worked through here.
    code = ALONGSIDE + (
        "with alongside(task, short=True) as work:\n"
        "    out = ordered_map(lambda i: (i, os.getpid(), len(events)), range(1000), jobs=2)\n"
        "assert [i for i, _, _ in out] == list(range(1000))\n"
        "assert {p for _, p, _ in out[:500]} == {me}, 'the first half is this process s'\n"
        "assert out[500][1] != me, 'the second half is the child s, until it is asked'\n"
        "assert all(seen == 1 for _, _, seen in out[:500]), 'the task ran before the part'\n"
        "pid, forked = work.result()\n"
        "print(pid == me, forked, events)\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "True 1 ['task']\n"


def test_a_short_task_alone_is_not_worth_a_child() -> None:
    # 300 items pay for no child by themselves: a long task would get one, a short one waits
    # for its result
    code = ALONGSIDE + (
        "with alongside(lambda: events.append('task') or 7, short=True) as work:\n"
        "    out = ordered_map(lambda i: os.getpid(), range(300), jobs=None)\n"
        "    events.append('mapped')\n"
        "    print(set(out) == {me}, work.result(), events)\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "True 7 ['mapped', 'task']\n"
