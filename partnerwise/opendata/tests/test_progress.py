"""The progress bar shows on a terminal only."""

from __future__ import annotations

import io

from partnerwise.opendata.loaders import progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_only() -> None:
    terminal, pipe = _Terminal(), io.StringIO()
    assert list(progress(range(3), label="charity.zip", stream=terminal)) == [0, 1, 2]
    assert list(progress(range(3), label="charity.zip", stream=pipe)) == [0, 1, 2]
    assert "charity.zip" in terminal.getvalue()
    assert pipe.getvalue() == ""
