"""``shared.broker.one_write``: a batch's frames leave in one socket write, in order, and the
transport is left as it was, also when the batch fails half-way."""
from __future__ import annotations

import pytest

from shared.broker import one_write


class Transport:
    """py-amqp's socket transport keeps its writer as an instance attribute (``sock.sendall``)."""

    def __init__(self):
        self.sent: list[bytes] = []
        self._write = self.sent.append

    def write(self, frame):           # what py-amqp's frame writer calls, with a reused buffer's view
        self._write(frame)


def test_the_frames_of_a_batch_leave_in_one_write_in_order():
    transport, scratch = Transport(), bytearray(b"..")
    with one_write(transport):
        for chunk in (b"a1", b"b2", b"c3"):
            scratch[:] = chunk
            transport.write(memoryview(scratch))   # the buffer is overwritten by the next frame
        assert transport.sent == []
    assert transport.sent == [b"a1b2c3"]
    transport.write(b"later")
    assert transport.sent == [b"a1b2c3", b"later"]


def test_a_batch_that_fails_half_way_still_sends_what_was_written_and_restores_the_writer():
    transport = Transport()
    with pytest.raises(RuntimeError):
        with one_write(transport):
            transport.write(b"first")
            raise RuntimeError("broken")
    assert transport.sent == [b"first"]
    transport.write(b"next")
    assert transport.sent == [b"first", b"next"]


def test_a_transport_without_its_own_writer_is_written_as_it_goes():
    sent = []

    class Other:
        def write(self, frame):
            sent.append(bytes(frame))
    other = Other()
    with one_write(other):
        other.write(b"x")
        assert sent == [b"x"]
    with one_write(None):
        pass
