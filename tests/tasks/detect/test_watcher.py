"""The watcher (``phasegate watch``): a replay asks it, not git, and every change still misses.

The replay tests run against a real watcher process watching a real git repository; the
``Watcher`` tests drive the class in-process on real files, so each inotify event is real.
"""

from __future__ import annotations

import errno
import marshal
import os
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from phasegate.cli import main
from phasegate.detect import inotify, replay, watch_client, watcher
from tests.helpers.replay_repo import CHANGES, Project, Run, add_untracked, primed


def watch(p: Project, *extra: str) -> int:
    return main(["watch", "--config", str(p.config), *extra])


def watcher_pid(p: Project) -> int:
    reply = watch_client.exchange(str(p.root), b"status")
    assert reply is not None
    return int(reply.split()[2])


@pytest.fixture
def watched(project: Project) -> Iterator[Project]:
    assert watch(project) == 0
    pid = watcher_pid(project)
    try:
        yield project
    finally:
        watch(project, "--stop")
        try:
            os.kill(pid, signal.SIGKILL)  # never left behind, whatever the test did
        except ProcessLookupError:
            pass


def primed_watched(p: Project, *extra: str) -> Run:
    """``primed``, and the record holds the watcher's token (else the rows below would only
    test the git check again)."""
    hit = primed(p, *extra)
    records = list((p.root / ".git/phasegate/cache").glob("replay-*"))
    assert records and all(marshal.loads(r.read_bytes())["watch"] for r in records)
    return hit


def no_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on a replay that starts git fails the test."""
    def refuse(root: str) -> list[tuple[int, int]]:
        raise AssertionError(f"git was started for {root}")

    monkeypatch.setattr(replay, "start_listing", refuse)


def test_a_replay_asks_the_watcher_not_git(watched: Project,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    hit = primed_watched(watched)
    no_git(monkeypatch)
    again = watched.detect()
    assert again.outcome == "hit" and again.out == hit.out


def new_dir_with_file(p: Project) -> None:
    (p.root / "pkg/sub").mkdir()
    (p.root / "pkg/sub/d.py").write_text("from pkg.old import Thing\n")


def rename_dir(p: Project) -> None:
    (p.root / "pkg").rename(p.root / "moved")


def replace_by_rename(p: Project) -> None:
    tmp = p.root / "pkg/a.py.tmp"
    tmp.write_text("import pkg.legacy\n")
    tmp.replace(p.root / "pkg/a.py")


def exclude_untracked(p: Project) -> None:
    (p.root / ".git/info").mkdir(exist_ok=True)
    with (p.root / ".git/info/exclude").open("a") as fh:
        fh.write("pkg/c.py\n")


# the rows every replay must notice, plus those a watcher could get wrong
WATCHED_CHANGES: list[tuple[str, Callable[[Project], None], str]] = [
    *CHANGES,
    ("new-directory-with-a-file", new_dir_with_file, "miss: files changed"),
    ("directory-renamed", rename_dir, "miss: files changed"),
    ("replaced-by-rename", replace_by_rename, "miss: files changed"),
    ("untracked-excluded-in-info-exclude", exclude_untracked, "miss: files changed"),
]


@pytest.mark.parametrize("change,expected", [(c, e) for _, c, e in WATCHED_CHANGES],
                         ids=[i for i, _, _ in WATCHED_CHANGES])
def test_change_misses_with_a_watcher(watched: Project, change: Callable[[Project], None],
                                      expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if change is exclude_untracked:
        add_untracked(watched)
    primed_watched(watched)
    change(watched)
    after = watched.detect()
    assert after.outcome.startswith(expected), after.outcome
    fresh = watched.fresh(monkeypatch=monkeypatch)
    assert (after.code, after.out) == (fresh.code, fresh.out)


def test_pyc_files_and_the_own_report_do_not_defeat_the_watcher(
        watched: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = watched.root / "pkg/__pycache__"
    cache.mkdir()  # a new directory counts: made before the record
    report = watched.root / "report.txt"
    primed_watched(watched, "-o", str(report))
    (cache / "a.cpython-311.pyc").write_bytes(b"\0" * 16)
    no_git(monkeypatch)
    assert watched.detect("-o", str(report)).outcome == "hit"
    assert watched.detect("-o", str(report)).outcome == "hit"  # the hit rewrote the report


def test_a_killed_watcher_leaves_the_replay_to_git(watched: Project) -> None:
    primed_watched(watched)
    os.kill(watcher_pid(watched), signal.SIGKILL)
    deadline = time.monotonic() + 10
    while watch_client.exchange(str(watched.root), b"status") is not None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert watched.detect().outcome == "hit"  # git says nothing changed
    add_untracked(watched)
    assert watched.detect().outcome == "miss: files changed"


def test_another_watchers_token_is_not_trusted(watched: Project) -> None:
    """A change made while no watcher ran is not hidden by the watcher started after it."""
    primed_watched(watched)
    (record,) = (watched.root / ".git/phasegate/cache").glob("replay-*")
    kept = record.read_bytes()  # with the first watcher's token
    assert watch(watched, "--stop") == 0
    add_untracked(watched)
    assert watch(watched) == 0  # drops the records: put the old one back
    record.write_bytes(kept)
    assert watched.detect().outcome == "miss: files changed"


def test_watch_command_status_and_stop(project: Project,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert watch(project, "--status") == 1
    assert capsys.readouterr().out == f"not watching {project.root}\n"
    assert watch(project) == 0
    pid = watcher_pid(project)
    try:
        assert f"watching {project.root}: 2 directories (pid {pid})" in capsys.readouterr().out
        assert watch(project) == 0
        assert capsys.readouterr().out.startswith(f"already watching {project.root}: 2 dir")
        assert watch(project, "--status") == 0
        assert watch(project, "--stop") == 0
        assert capsys.readouterr().out.endswith(f"stopped watching {project.root} (pid {pid})\n")
        assert watch(project, "--status") == 1
        assert watch(project, "--stop") == 0
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_watch_outside_git_is_one_clear_line(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "phases.toml").write_text('[project]\nroot = "."\n')
    assert main(["watch", "--config", str(tmp_path / "phases.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not in a git work tree" in err


def test_the_watcher_stops_when_its_root_goes(project: Project, tmp_path: Path) -> None:
    assert watch(project) == 0
    pid = watcher_pid(project)
    try:
        project.root.rename(tmp_path / "elsewhere")
        deadline = time.monotonic() + 10
        while _alive(pid):
            assert time.monotonic() < deadline, "the watcher outlived its root"
            time.sleep(0.02)
    finally:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie of this process (the in-process command started it) is not alive
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return True


# ---- the Watcher class, in-process on real files ------------------------------------------

@pytest.fixture
def tree(tmp_path: Path) -> Iterator[tuple[Path, watcher.Watcher]]:
    root = tmp_path / "tree"
    (root / "a").mkdir(parents=True)
    (root / ".git").mkdir()
    w = watcher.Watcher(str(root))
    w.watch_tree(b"", strict=True)
    try:
        yield root, w
    finally:
        w.close()


def since(w: watcher.Watcher, generation: int, *ignored: bytes) -> bool:
    reply = w.answer(b"\0".join([f"{w.instance} {generation}".encode(), *ignored]))
    parsed = watch_client.parse_reply(reply)
    assert parsed is not None
    return parsed[1]


# (id, what is done, the paths counted: None for a change without a reliable path)
EVENTS: list[tuple[str, Callable[[Path], None], set[bytes | None]]] = [
    ("write", lambda r: (r / "a/x.py").write_text("1"), {b"a/x.py"}),
    ("touch", lambda r: (r / "a/x.py").touch(), {b"a/x.py"}),
    ("delete", lambda r: ((r / "a/x.py").write_text("1"), (r / "a/x.py").unlink()), {b"a/x.py"}),
    ("chmod", lambda r: ((r / "a/x.py").write_text("1"), (r / "a/x.py").chmod(0o600)),
     {b"a/x.py"}),
    ("mkdir", lambda r: (r / "a/new").mkdir(), {None}),
    ("rmdir", lambda r: ((r / "a/new").mkdir(), (r / "a/new").rmdir()), {None}),
    ("pyc-not-counted", lambda r: (r / "a/x.pyc").write_bytes(b"1"), set()),
    ("git-dir-not-watched", lambda r: (r / ".git/index").write_bytes(b"1"), set()),
    ("symlink", lambda r: (r / "a/link").symlink_to(r), {b"a/link"}),
    ("moved-in-from-outside", lambda r: (r.parent / "outside.py").write_text("1") and
     (r.parent / "outside.py").rename(r / "a/inside.py"), {b"a/inside.py"}),
    ("moved-out-of-the-tree", lambda r: ((r / "a/x.py").write_text("1"),
                                         (r / "a/x.py").rename(r.parent / "gone.py")),
     {b"a/x.py"}),
]


@pytest.mark.parametrize("act,counted", [e[1:] for e in EVENTS], ids=[e[0] for e in EVENTS])
def test_events_counted(tree: tuple[Path, watcher.Watcher], act: Callable[[Path], None],
                        counted: set[bytes | None]) -> None:
    root, w = tree
    act(root)
    w.drain()
    assert {path for _, path in w.changes} == counted
    assert since(w, 0) == (not counted)


def test_files_in_a_new_directory_are_watched(tree: tuple[Path, watcher.Watcher]) -> None:
    root, w = tree
    (root / "a/new/deeper").mkdir(parents=True)
    w.drain()
    token = w.generation
    (root / "a/new/deeper/y.py").write_text("1")
    assert not since(w, token)
    assert w.changes[-1][1] == b"a/new/deeper/y.py"


def test_a_renamed_directory_reports_its_new_path(tree: tuple[Path, watcher.Watcher]) -> None:
    root, w = tree
    (root / "a").rename(root / "b")
    w.drain()
    token = w.generation
    (root / "b/z.py").write_text("1")
    assert not since(w, token, b"a/z.py")  # not the old path's
    assert since(w, token, b"b/z.py")


# (id, how the question differs from "nothing since the current token", expected "same")
QUESTIONS: list[tuple[str, Callable[[watcher.Watcher, Path], bytes], bool]] = [
    ("current-token", lambda w, r: f"{w.instance} {w.generation}".encode(), True),
    ("only-ignored-changed", lambda w, r: (r / "out.txt").write_text("x") and
     f"{w.instance} {w.generation}\0out.txt".encode(), True),
    ("something-else-changed", lambda w, r: (r / "other.txt").write_text("x") and
     f"{w.instance} {w.generation}\0out.txt".encode(), False),
    ("another-instance", lambda w, r: f"0123456789abcdef {w.generation}".encode(), False),
    ("a-future-generation", lambda w, r: f"{w.instance} {w.generation + 5}".encode(), False),
    ("token-only", lambda w, r: b"- -1", False),
    ("garbage", lambda w, r: b"\xff\xfe nonsense", False),
    ("overflowed", lambda w, r: _overflow(w), False),
    ("unknown-watch", lambda w, r: _unknown_watch(w), False),
]


def _overflow(w: watcher.Watcher) -> bytes:
    token = f"{w.instance} {w.generation}".encode()
    w._event(-1, inotify.IN_Q_OVERFLOW, b"")
    return token


def _unknown_watch(w: watcher.Watcher) -> bytes:
    token = f"{w.instance} {w.generation}".encode()
    w._event(987654, inotify.IN_MODIFY, b"x.py")  # a watch already dropped
    return token


@pytest.mark.parametrize("question,same", [q[1:] for q in QUESTIONS], ids=[q[0] for q in QUESTIONS])
def test_questions(tree: tuple[Path, watcher.Watcher],
                   question: Callable[[watcher.Watcher, Path], bytes], same: bool) -> None:
    root, w = tree
    (root / "a/x.py").write_text("1")
    w.drain()
    reply = watch_client.parse_reply(w.answer(question(w, root)))
    assert reply is not None and reply[0] == (w.instance, w.generation)
    assert reply[1] == same


def test_changes_forgotten_since_a_token_mean_changed(tree: tuple[Path, watcher.Watcher]) -> None:
    root, w = tree
    w.changes = deque(maxlen=2)
    (root / "out.txt").write_text("x")  # modify + close_write
    w.drain()
    token = w.generation
    for _ in range(3):
        (root / "out.txt").write_text("x")
    assert not since(w, token, b"out.txt")  # some of them are no longer known: changed
    assert since(w, w.generation, b"out.txt")


def test_the_watch_limit_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = watcher.Watcher(str(tmp_path))
    try:
        monkeypatch.setattr(w.ino, "add", lambda path: -errno.ENOSPC)
        with pytest.raises(watcher.WatchError, match="raise fs.inotify.max_user_watches"):
            w.watch_tree(b"", strict=True)
    finally:
        w.close()


def test_only_our_own_user_is_believed(watched: Project,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with left, right:
        assert watch_client.ours(left)
        assert watch_client.peer(left)[0] == os.getpid()
    assert watch_client.ask(str(Path("/nonexistent/root"))) is None
    assert watch_client.ask(str(watched.root)) is not None
    real = watch_client.peer
    monkeypatch.setattr(watch_client, "peer", lambda sock: (real(sock)[0], os.getuid() + 1))
    assert watch_client.ask(str(watched.root)) is None  # a listener of another user


def test_the_idle_watcher_stops(tree: tuple[Path, watcher.Watcher]) -> None:
    _root, w = tree
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(b"\0phasegate-test-idle-%d" % os.getpid())
        listener.listen(1)
        serving = threading.Thread(target=watcher.serve, args=(w, listener, 0.2), daemon=True)
        serving.start()
        serving.join(timeout=30)
    assert not serving.is_alive(), "the idle watcher did not stop"


def test_a_record_taken_without_the_watcher_is_retaken_with_it(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    primed(project)  # recorded with no watcher: replayed through git
    assert watch(project) == 0
    pid = watcher_pid(project)
    try:
        assert project.detect().outcome == "miss: no record"  # records with the token
        no_git(monkeypatch)
        assert project.detect().outcome == "hit"
    finally:
        watch(project, "--stop")
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_changes_kept_exactly_back_to_a_token_still_answer(
        tree: tuple[Path, watcher.Watcher]) -> None:
    """The boundary of what the watcher remembers: every change since the token kept is
    enough; one fewer kept is "changed"."""
    _root, w = tree
    token = w.generation
    for _ in range(3):
        w._event(next(iter(w.dirs)), inotify.IN_MODIFY, b"out.txt")
    w.changes = deque(w.changes, maxlen=3)
    assert since(w, token, b"out.txt")
    w.changes = deque(list(w.changes)[1:], maxlen=3)  # the oldest change since is forgotten
    assert not since(w, token, b"out.txt")


def test_renaming_a_directory_above_the_root_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "p1/tree/a").mkdir(parents=True)
    w = watcher.Watcher(str(tmp_path / "p1/tree"))
    try:
        w.watch_tree(b"", strict=True)
        (tmp_path / "p1").rename(tmp_path / "p2")
        (tmp_path / "p2/tree/a/sub").mkdir()  # watched through the root's descriptor
        w.drain()
        token = w.generation
        (tmp_path / "p2/tree/a/sub/x.py").write_text("1")
        assert not since(w, token)
        assert w.changes[-1][1] == b"a/sub/x.py" and not w.gone
    finally:
        w.close()


def test_an_overflow_watches_directories_whose_events_were_lost(
        tree: tuple[Path, watcher.Watcher]) -> None:
    root, w = tree
    (root / "a/lost").mkdir()
    w.ino.read()  # as if the queue had overflowed: these events are gone
    w._event(-1, inotify.IN_Q_OVERFLOW, b"")
    token = w.generation
    (root / "a/lost/y.py").write_text("1")
    assert not since(w, token)


def test_a_directory_that_cannot_be_watched_answers_changed_until_it_can(
        tree: tuple[Path, watcher.Watcher], monkeypatch: pytest.MonkeyPatch) -> None:
    root, w = tree
    real = w.ino.add
    monkeypatch.setattr(w.ino, "add", lambda path: -errno.EACCES if path.endswith(b"locked")
                        else real(path))
    (root / "a/locked").mkdir()
    w.drain()
    assert w.unwatched == {b"a/locked"}
    assert not since(w, w.generation)  # whatever the token: a directory is not watched
    monkeypatch.setattr(w.ino, "add", real)
    (root / "a/locked").chmod(0o700)  # its mode changed: tried again
    w.drain()
    assert w.unwatched == set() and since(w, w.generation)
    token = w.generation
    (root / "a/locked/z.py").write_text("1")
    assert not since(w, token)


def test_a_mount_under_the_root_means_watching_anew(
        tree: tuple[Path, watcher.Watcher], monkeypatch: pytest.MonkeyPatch) -> None:
    root, w = tree
    token = w.generation
    assert since(w, token)
    monkeypatch.setattr(w, "_mounts", lambda: [os.fsencode(root / "a")])
    assert not since(w, token)
    assert since(w, w.generation)  # the same mounts again: nothing new


def test_git_config_includes_and_parent_gitignores_are_ignore_sources(tmp_path: Path) -> None:
    from phasegate.detect import replay_git

    top = tmp_path / "top"
    (top / ".git").mkdir(parents=True)
    (top / "proj/pkg").mkdir(parents=True)
    git_dir, root = str(top / ".git"), str(top / "proj")
    before = replay_git.ignore_sources(git_dir, root)
    assert before is not None
    (top / ".gitignore").write_text("gen_*.py\n")  # above the root: decides what git lists
    assert replay_git.ignore_sources(git_dir, root) != before
    extra = tmp_path / "Extra.Config"
    extra.write_text("[core]\n\texcludesFile = /elsewhere/ignore\n")
    (top / ".git/config").write_text(f'[includeIf "gitdir:/x/"]\n\tpath = {extra}\n')
    assert replay_git.ignore_sources(git_dir, root) is None  # an excludes file, included
    extra.write_text("[core]\n\tcheckStat = minimal\n")
    assert replay_git.relaxed_stat_config(git_dir) == "core.checkstat"


def test_a_hard_linked_file_is_replayed_through_git_only(watched: Project,
                                                        tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    os.link(watched.root / "pkg/a.py", outside)  # the same file, by a name no watch sees
    primed(watched)
    (record,) = (watched.root / ".git/phasegate/cache").glob("replay-*")
    assert marshal.loads(record.read_bytes())["watch"] is None
    with outside.open("w") as fh:
        fh.write("from pkg.olx import Thing\n")
    assert watched.detect().outcome == "miss: files changed"


def test_a_watcher_that_does_not_answer(project: Project, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from phasegate.commands import watch as command

    monkeypatch.setattr(command, "ANSWER_S", 0.3)
    assert watch(project) == 0
    pid = watcher_pid(project)
    primed(project)
    os.kill(pid, signal.SIGSTOP)
    try:
        assert project.detect().outcome == "hit"  # through git, after the client gave up
        capsys.readouterr()
        assert watch(project, "--status") == 1
        assert f"(pid {pid}) does not answer" in capsys.readouterr().out
        assert watch(project) == 2
        assert "does not answer: stop it with phasegate watch --stop" in capsys.readouterr().err
        assert watch(project, "--stop") == 0
        deadline = time.monotonic() + 10
        while _alive(pid):  # killed: its socket is gone, the process goes a moment later
            assert time.monotonic() < deadline, "the watcher outlived --stop"
            time.sleep(0.02)
    finally:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_two_watch_commands_at_once_both_succeed(project: Project,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The second start loses the race for the socket: it says the first one watches."""
    from phasegate.commands import watch as command

    assert watch(project) == 0
    pid = watcher_pid(project)
    real = command._status
    calls: list[int] = []
    monkeypatch.setattr(command, "_status",
                        lambda root: None if not calls.append(1) and len(calls) == 1
                        else real(root))
    monkeypatch.setattr(watch_client, "listener_pid", lambda root: None)
    try:
        capsys.readouterr()
        assert watch(project) == 0
        assert capsys.readouterr().out.startswith(f"already watching {project.root}")
    finally:
        monkeypatch.undo()
        watch(project, "--stop")
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
