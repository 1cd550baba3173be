"""What sitegen never does, whatever the user or the machine throws at it: replace a
log file, lose a raised alert, write through a symlink, serve anything but the site's
own files, leave worker processes behind, or answer a mistake with a traceback."""

from __future__ import annotations

import errno
import os

import pytest

from sitegen import writer as writer_module
from sitegen.errors import BuildError
from sitegen.writer import Writer

# --------------------------------------------------------------------------- writing outputs


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EDQUOT, "disk quota"),
        (errno.EACCES, "check the folder's permissions"),
        (errno.EPERM, "check the folder's permissions"),
        (errno.EROFS, "read-only file system"),
        (errno.EIO, "Input/output error"),
    ],
)
def test_a_failed_write_names_its_real_cause(tmp_path, monkeypatch, code, reason):
    def fail(path, data):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(writer_module, "atomic_write", fail)
    with pytest.raises(BuildError) as caught:
        Writer(tmp_path).write("daily/2025-10-10.html", b"<p>")
    message = str(caught.value)
    assert str(tmp_path / "daily" / "2025-10-10.html") in message
    assert reason in message
    if code not in (errno.EACCES, errno.EPERM):
        assert "permission" not in message.lower()
