"""Case thread lines that can be built again in another reader's language: a line is built when
the case changes, in the language of whoever acted, and the channel reads it in its own
(handlers/slack/case_slack.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any


class ThreadLine(str):
    """A thread line as it was built (in the language of whoever acted), which can be built
    again in the channel's: the channel's readers read it (handlers/slack/case_slack.py)."""

    render: Callable[[], str]

    def __new__(cls, render: Callable[[], str]) -> ThreadLine:
        built = super().__new__(cls, render())
        built.render = render
        return built

    def __copy__(self) -> ThreadLine:
        return self  # as immutable as any str (Bolt deep-copies the context of lazy listeners)

    def __deepcopy__(self, memo: dict[int, object]) -> ThreadLine:
        return self


def together(*parts: ThreadLine) -> ThreadLine:
    """Thread lines posted as one message, one under the other."""
    return ThreadLine(lambda: "\n".join(part.render() for part in parts))


def again(build: Callable[..., str]) -> Callable[..., ThreadLine]:
    """`build`, whose line can be built again in another reader's language."""

    @wraps(build)
    def line_of(*args: Any, **kwargs: Any) -> ThreadLine:
        return ThreadLine(partial(build, *args, **kwargs))

    return line_of
