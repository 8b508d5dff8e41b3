"""Tar members as bytes: the bytes ``tarfile`` writes, at a fraction of its cost.

``tarfile`` builds a ``TarInfo``, a PAX check and a header per member: about 50 µs,
more than everything else a text record costs to publish. Every member of a release has
the same mode, owner and time, so a header differs only in its name, size and checksum:
the rest is taken once from a header that ``tarfile`` itself made. A name or size that
needs a PAX header (non-ASCII, longer than 100 bytes, 8 GiB or more) goes through
``tarfile``. ``tests/test_shards.py`` checks the bytes against ``webdataset.TarWriter``.
"""

from __future__ import annotations

import tarfile

BLOCK = tarfile.BLOCKSIZE
RECORD = tarfile.RECORDSIZE
_MAX_SIZE = 8**11 - 1  # the largest size the 12-byte octal field holds


class MemberFormat:
    """Serialises regular-file members with a fixed mode, owner and time."""

    def __init__(self, *, mode: int, user: str, group: str, mtime: int) -> None:
        self.template = tarfile.TarInfo("x")
        self.template.mode, self.template.mtime = mode, mtime
        self.template.uname, self.template.gname = user, group
        header = self.template.tobuf(tarfile.USTAR_FORMAT, "utf-8", "surrogateescape")
        self._ids = header[100:124]  # mode, uid, gid
        self._mtime = header[136:148]
        self._rest = header[156:]  # type, link name, magic, owner names, device, prefix
        self._fixed = sum(self._ids) + sum(self._mtime) + sum(self._rest) + 8 * ord(" ")

    def header(self, name: str, size: int) -> bytes:
        """The header block(s) of a member, exactly as ``tarfile`` writes them."""
        encoded = name.encode("ascii", "replace")
        if not name.isascii() or len(encoded) > 100 or size > _MAX_SIZE:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = size, self.template.mode, self.template.mtime
            info.uname, info.gname = self.template.uname, self.template.gname
            return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
        name_field = encoded + bytes(100 - len(encoded))
        size_field = b"%011o\0" % size
        checksum = self._fixed + sum(name_field) + sum(size_field)
        return b"".join((name_field, self._ids, size_field, self._mtime,
                         b"%06o\0 " % checksum, self._rest))

    def member(self, name: str, data: bytes) -> bytes:
        """Header, data and padding of one member."""
        return b"".join((self.header(name, len(data)), data, bytes(-len(data) % BLOCK)))


def end_of_archive(offset: int) -> bytes:
    """What closes a tar stream of ``offset`` bytes: two zero blocks, then zeros up to a
    whole record, as ``tarfile`` pads it."""
    return bytes(2 * BLOCK + (-(offset + 2 * BLOCK) % RECORD))
