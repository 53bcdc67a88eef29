"""Console commands for an open modal (mixed into sandbox.console.Console):

choose <input> <option>   pick an option (by number or label)
type <input> <text>       type into a text input (by number or label); a day as 2027-01-31,
                          a person as @dana
submit, cancel            submit or close the modal
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from sandbox import payloads, render
from sandbox.screen import Screen, Surface, answer, as_sent, pick

T = TypeVar("T")
REQUIRED = "Please complete this required field."  # Slack checks this before the app sees it
STILL_OPEN = "The modal is still open: `cancel` closes it."


def numbered(items: Sequence[T], label: Callable[[T], str]) -> list[tuple[str, T]]:
    """Items to pick by their number (from 1) or by their label."""
    return [(str(n), item) for n, item in enumerate(items, 1)] + [(label(i), i) for i in items]


class ModalCommands(Screen):
    if TYPE_CHECKING:

        def send(self, request: tuple[bytes, str]) -> tuple[int, bytes]: ...

    def modal(self) -> Surface | None:
        if self.surface is None or self.surface.kind != "modal":
            self.say('No modal is open. Buttons such as "I\'ve turned it on" open one.')
            return None
        return self.surface

    def do_choose(self, rest: str) -> None:
        """`choose <input> <option>`; labels may have spaces, so every split is tried."""
        if (modal := self.modal()) is None:
            return
        fields = numbered(render.inputs(modal.blocks), lambda f: f.label)
        words, problem = rest.split(), "Say which input and which option, e.g. choose 1 2."
        for cut in range(1, len(words)):
            chosen = pick(" ".join(words[:cut]), fields, "input")
            if isinstance(chosen, str):
                problem = chosen if cut == 1 else problem
                continue
            options = numbered(chosen.options, lambda o: render.text_of(o.get("text")))
            option = pick(" ".join(words[cut:]), options, "option")
            if isinstance(option, str):
                problem = option
                continue
            entry = {"type": chosen.kind, "selected_option": option}
            modal.values[chosen.block_id] = {chosen.action_id: entry}
            modal.errors.pop(chosen.block_id, None)
            self.say(f"✓ {chosen.label}: {render.chosen_label(modal.values, chosen)}")
            return
        self.say(problem)

    def do_submit(self, _: str) -> None:
        if (modal := self.modal()) is None:
            return
        if not modal.content.get("submit"):
            self.say(f"This modal has only its {close_label(modal)}: `cancel` closes it.")
            return
        fields = render.inputs(modal.blocks)
        missing = [f for f in fields if not f.optional and not render.chosen_label(modal.values, f)]
        modal.errors = {f.block_id: REQUIRED for f in missing}
        if not missing:
            view = as_sent(modal)
            values = view["state"]["values"]
            status, body = self.send(
                payloads.view_submission(self.person.user_id, view, values, team_id=self.team_id)
            )
            if status != 200:
                self.say("We had some trouble connecting. Try again?", "warning")
                return
            answered = answer(body) if body.strip() else {}
            if answered.get("response_action") == "update":  # the same modal, with a new content
                modal.content = {**answered["view"], "id": modal.content.get("id")}
                modal.values = render.initial_values(modal.blocks)
                modal.errors = {}
                finished = not modal.content.get("submit")  # only its close button is left
                self.show_modal(modal, hint=not finished)
                if finished:
                    self.close_modal(f"(done: the modal closed, as its {close_label(modal)} would)")
                else:
                    self.say(STILL_OPEN, "dim")
                self.settle(expect=True)  # e.g. the mail with a code, written after the answer
                return
            if answered.get("response_action") != "errors":
                self.do_cancel("")
                self.settle(expect=True)
                return
            modal.errors = dict(answered.get("errors") or {})
        self.show_modal(modal, hint=False)
        self.say(f"Fix what the modal says, then submit. {STILL_OPEN}", "dim")

    def do_type(self, rest: str) -> None:
        """`type <input> <text>`: the input by its number or label, then what to type."""
        if (modal := self.modal()) is None:
            return
        fields = [f for f in render.inputs(modal.blocks) if f.kind in render.TYPED]
        words = rest.split()
        for cut in range(1, len(words)):
            # By the number the modal shows (every input counts), or by its label.
            choices = [(str(f.number), f) for f in fields] + [(f.label, f) for f in fields]
            chosen = pick(" ".join(words[:cut]), choices, "input")
            if isinstance(chosen, render.Input):
                typed = rest.split(None, cut)[cut]
                entry = self._typed(chosen, typed)
                if entry is None:
                    return
                modal.values[chosen.block_id] = {chosen.action_id: entry}
                modal.errors.pop(chosen.block_id, None)
                self.say(f"✓ {chosen.label}: {typed}")
                return
        self.say("Say which input and what to type, e.g. type 1 ana@example.com.")

    def _typed(self, field: render.Input, typed: str) -> dict[str, Any] | None:
        """What Slack submits for `typed`: a day picked, a person picked, or the text itself."""
        if field.kind == "datepicker":
            try:
                return {"type": field.kind, "selected_date": date.fromisoformat(typed).isoformat()}
            except ValueError:
                self.say("Type the day as 2027-01-31.")
                return None
        if field.kind == "users_select":
            name = typed.removeprefix("@").lower()
            people = getattr(getattr(self, "team", None), "people", ())
            person = next((p for p in people if name in (p.short, p.user_id.lower())), None)
            if person is None:
                self.say(f"I don't know {typed}: type one of " + ", ".join(
                    f"@{p.short}" for p in people) + ".")  # fmt: skip
                return None
            return {"type": field.kind, "selected_user": person.user_id}
        return {"type": field.kind, "value": typed}

    def do_cancel(self, _: str) -> None:
        if self.modal() is not None:
            self.close_modal()

    def close_modal(self, note: str = "(the modal closed)") -> None:
        """Back to what was under the open modal, if one is open."""
        modal = self.surface
        if modal is not None and modal.kind == "modal":
            self.surfaces[self.person.user_id] = modal.under
            self.say(note, "dim")


def close_label(modal: Surface) -> str:
    return f'"{render.text_of(modal.content.get("close")) or "Cancel"}" button'
