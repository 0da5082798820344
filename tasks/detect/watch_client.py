"""Asking a running watcher (:mod:`.watcher`) whether anything under a root changed.

A replay must prove that no file changed since its record. Without a watcher that is two git
listings that lstat every file (tens of milliseconds on a large tree, most of a replay); with
``phasegate watch`` running, it is one question over a Unix socket. Like :mod:`.replay`, this
module imports only builtins (``_socket``), so asking costs well under a millisecond.

The protocol (one request per connection, the client shuts its side when done):

- request ``status``: reply ``<instance> <generation> <pid> <directories watched>``;
- request ``stop``: the watcher stops;
- request ``<instance> <generation>\\0<ignored path>\\0...``: "has anything under the root
  changed since this token, other than these paths (relative to the root)?"; ``- -1`` asks for
  the current token only;
- reply ``<instance> <generation> same|changed``.

A token is the watcher's instance (a new one each time a watcher starts) and the number of
changes it has seen. Any doubt on the client's side (no socket, a refused or slow connection, a
reply it cannot read) is "changed": the caller then checks the tree the normal way.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing's: this module is on the replay's path
if TYPE_CHECKING:
    from typing import Any

TIMEOUT_S = 0.5  # a watcher that does not answer a replay within this is no watcher
Token = tuple[str, int]


def address(root: str) -> bytes | None:
    """The abstract Unix socket the watcher of ``root`` listens on (no file to go stale or to
    outgrow a socket path's 107 bytes): named by this user and the root directory's device and
    inode. None when the root cannot be stat-ed."""
    try:
        st = os.stat(root)
    except OSError:
        return None
    return f"\0phasegate-watch-{os.getuid()}-{st.st_dev:x}-{st.st_ino:x}".encode()


def peer(sock: Any) -> tuple[int, int]:
    """(pid, uid) of the process at the other end of a connected Unix socket."""
    import _socket

    cred = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
    return int.from_bytes(cred[0:4], sys.byteorder), int.from_bytes(cred[4:8], sys.byteorder)


def ours(sock: Any) -> bool:
    """The peer runs as this user (anyone may bind an abstract name: only our own watcher is
    believed, and only our own user is answered)."""
    return peer(sock)[1] == os.getuid()


def listener_pid(root: str) -> int | None:
    """The pid of this user's process listening for ``root``'s watcher, answering or not."""
    sock = _connected(root, TIMEOUT_S)
    if sock is None:
        return None
    try:
        pid, uid = peer(sock)
    except OSError:
        return None
    finally:
        sock.close()  # (a ``_socket.socket`` is no context manager)
    return pid if uid == os.getuid() else None


def ask(root: str, since: Token | None = None, ignored: tuple[str, ...] = ()
        ) -> tuple[Token, bool] | None:
    """(the watcher's current token, whether anything not ``ignored`` changed since ``since``),
    or None when no watcher of ``root`` answers."""
    instance, generation = since if since is not None else ("-", -1)
    request = b"\0".join([f"{instance} {generation}".encode(),
                          *(os.fsencode(p) for p in ignored)])
    reply = exchange(root, request)
    return None if reply is None else parse_reply(reply)


def exchange(root: str, request: bytes, timeout: float = TIMEOUT_S) -> bytes | None:
    """Send ``request`` to the watcher of ``root``; its whole reply, or None (none listens,
    or it did not answer within ``timeout`` seconds)."""
    import _socket

    sock = _connected(root, timeout)
    if sock is None:
        return None
    try:
        if not ours(sock):
            return None
        sock.sendall(request)
        sock.shutdown(_socket.SHUT_WR)
        reply = b""
        while True:
            chunk = sock.recv(256)
            if not chunk:
                return reply
            reply += chunk
    except OSError:
        return None
    finally:
        sock.close()


def _connected(root: str, timeout: float) -> Any:
    """A socket connected to where the watcher of ``root`` listens, or None."""
    import _socket

    name = address(root)
    if name is None:
        return None
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(name)
    except OSError:
        sock.close()
        return None
    return sock


def parse_reply(reply: bytes) -> tuple[Token, bool] | None:
    parts = reply.split()
    if len(parts) != 3 or parts[2] not in (b"same", b"changed") or not parts[1].isdigit():
        return None
    return (parts[0].decode("ascii", "replace"), int(parts[1])), parts[2] == b"same"


def unchanged_since(root: str, token: Any, ignored: tuple[str, ...]) -> bool:
    """True only when the watcher of ``root`` says nothing but ``ignored`` changed since
    ``token`` (a record's); any doubt is False."""
    if not (isinstance(token, tuple) and len(token) == 2):
        return False
    answer = ask(root, (str(token[0]), int(token[1])), ignored)
    return answer is not None and answer[1]
