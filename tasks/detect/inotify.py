"""Linux inotify through ctypes, and the mount points under a directory: what the watcher
(:mod:`.watcher`) is built on.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct

IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF, IN_UNMOUNT, IN_Q_OVERFLOW, IN_IGNORED = (
    0x400, 0x800, 0x2000, 0x4000, 0x8000)
IN_ONLYDIR, IN_DONT_FOLLOW, IN_ISDIR = 0x01000000, 0x02000000, 0x40000000
MASK = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE
        | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW)
EVENT = struct.Struct("iIII")


class WatchError(Exception):
    """The watcher cannot start (no inotify, the watch limit, the socket)."""


class Inotify:
    def __init__(self) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        try:
            self._add = libc.inotify_add_watch
        except AttributeError as exc:
            raise WatchError("this system has no inotify (the watcher needs Linux)") from exc
        self._add.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise WatchError(f"inotify_init1: {os.strerror(ctypes.get_errno())}")

    def add(self, path: bytes) -> int:
        """The watch descriptor, or -errno."""
        wd = self._add(self.fd, path, MASK)
        return wd if wd >= 0 else -ctypes.get_errno()

    def read(self) -> list[tuple[int, int, bytes]]:
        """Every queued event: (wd, mask, name)."""
        out: list[tuple[int, int, bytes]] = []
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return out
            offset = 0
            while offset < len(data):
                wd, mask, _cookie, size = EVENT.unpack_from(data, offset)
                offset += EVENT.size
                name = data[offset:offset + size].rstrip(b"\0")
                offset += size
                out.append((wd, mask, name))


def mount_points(top: bytes) -> list[bytes]:
    """Mount points at or under ``top`` (``[b"?"]`` when /proc/self/mountinfo cannot be read):
    a mount over a watched directory hides what happens in it from its watch."""
    try:
        with open("/proc/self/mountinfo", "rb") as fh:
            table = fh.read()
    except OSError:
        return [b"?"]
    out = []
    for line in table.splitlines():
        fields = line.split(b" ")
        if len(fields) > 4:
            point = _unescape(fields[4])
            if point == top or point.startswith(top.rstrip(b"/") + b"/"):
                out.append(point)
    return sorted(out)


def _unescape(field: bytes) -> bytes:
    """mountinfo writes a space, tab, newline and backslash as octal escapes."""
    for code in (b"\\040", b"\\011", b"\\012", b"\\134"):
        field = field.replace(code, bytes([int(code[1:], 8)]))
    return field
