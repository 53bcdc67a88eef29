"""Block Kit limits that Slack enforces, as pure functions returning the problems found.

Each problem reads like Slack's own: "<what is wrong> [json-pointer:/blocks/0/text/text]", so a
failing test points at the offending field.  Only the limits the bot can plausibly hit are
checked; a payload that passes here may still be refused by Slack for rarer reasons.
"""

from __future__ import annotations

from typing import Any

BLOCK_TYPES = frozenset(
    {
        "section",
        "actions",
        "context",
        "divider",
        "header",
        "input",
        "image",
        "rich_text",
        "file",
        "video",
    }
)
MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
VIEW_TYPES = frozenset({"modal", "home"})


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.block_ids: set[str] = set()
        self.action_ids: set[str] = set()

    def fail(self, what: str, pointer: str) -> None:
        self.problems.append(f"{what} [json-pointer:{pointer}]")

    def max_len(self, value: Any, limit: int, pointer: str) -> None:
        if not isinstance(value, str):
            self.fail("must be a string", pointer)
        elif len(value) > limit:
            self.fail(f"must be less than {limit + 1} characters", pointer)

    def text(self, obj: Any, limit: int, pointer: str, *, plain_only: bool = False) -> None:
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if not isinstance(obj, dict):
            self.fail("must be a text object", pointer)
            return
        if obj.get("type") not in allowed:
            self.fail(f"must be one of {', '.join(allowed)}", f"{pointer}/type")
        text = obj.get("text")
        if isinstance(text, str) and not text:
            self.fail("must be more than 0 characters", f"{pointer}/text")
        else:
            self.max_len(text, limit, f"{pointer}/text")

    def unique_id(self, owner: dict[str, Any], key: str, seen: set[str], pointer: str) -> None:
        """`block_id` and `action_id`: at most 255 characters, each used once in the surface."""
        if key not in owner:
            return
        value = owner[key]
        self.max_len(value, 255, f"{pointer}/{key}")
        if value in seen:
            self.fail(f"{key} `{value}` is already used", f"{pointer}/{key}")
        elif isinstance(value, str):
            seen.add(value)

    def element(self, element: Any, pointer: str) -> None:
        if not isinstance(element, dict) or not isinstance(element.get("type"), str):
            self.fail("must be an element object with a type", pointer)
            return
        self.unique_id(element, "action_id", self.action_ids, pointer)
        if element["type"] != "button":
            return
        self.text(element.get("text"), 75, f"{pointer}/text", plain_only=True)
        if "value" in element:
            self.max_len(element["value"], 2000, f"{pointer}/value")
        if "url" in element:
            self.max_len(element["url"], 3000, f"{pointer}/url")

    def block(self, block: Any, pointer: str) -> None:
        if not isinstance(block, dict):
            self.fail("must be a block object", pointer)
            return
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            self.fail(f"unsupported type `{kind}`", f"{pointer}/type")
            return
        self.unique_id(block, "block_id", self.block_ids, pointer)
        checks = {
            "section": self._section,
            "header": self._header,
            "actions": self._actions,
            "context": self._context,
            "input": self._input,
        }
        if kind in checks:
            checks[kind](block, pointer)

    def _section(self, block: dict[str, Any], pointer: str) -> None:
        if "text" not in block and "fields" not in block:
            self.fail("must provide either text or fields", pointer)
        if "text" in block:
            self.text(block["text"], 3000, f"{pointer}/text")
        if "fields" in block:
            fields = block["fields"]
            if not isinstance(fields, list) or not 1 <= len(fields) <= 10:
                self.fail("must be an array of 1 to 10 items", f"{pointer}/fields")
            else:
                for i, field in enumerate(fields):
                    self.text(field, 2000, f"{pointer}/fields/{i}")
        if "accessory" in block:
            self.element(block["accessory"], f"{pointer}/accessory")

    def _header(self, block: dict[str, Any], pointer: str) -> None:
        self.text(block.get("text"), 150, f"{pointer}/text", plain_only=True)

    def _elements(self, block: dict[str, Any], pointer: str, limit: int) -> list[Any]:
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= limit:
            self.fail(f"must be an array of 1 to {limit} items", f"{pointer}/elements")
            return []
        return elements

    def _actions(self, block: dict[str, Any], pointer: str) -> None:
        for i, element in enumerate(self._elements(block, pointer, 25)):
            self.element(element, f"{pointer}/elements/{i}")

    def _context(self, block: dict[str, Any], pointer: str) -> None:
        self._elements(block, pointer, 10)

    def _input(self, block: dict[str, Any], pointer: str) -> None:
        self.text(block.get("label"), 2000, f"{pointer}/label", plain_only=True)
        if "element" not in block:
            self.fail("must provide an element", pointer)
        else:
            self.element(block["element"], f"{pointer}/element")


def _check_blocks(checker: _Checker, blocks: Any, surface: str, pointer: str) -> None:
    if surface not in MAX_BLOCKS:
        raise ValueError(f"unknown surface {surface!r}; expected one of {sorted(MAX_BLOCKS)}")
    if blocks is None:
        checker.fail("missing required field: blocks", pointer)
        return
    if not isinstance(blocks, list):
        checker.fail("must be an array", pointer)
        return
    limit = MAX_BLOCKS[surface]
    if len(blocks) > limit:
        checker.fail(f"must be an array of at most {limit} items", pointer)
    for i, block in enumerate(blocks):
        checker.block(block, f"{pointer}/{i}")


def validate_blocks(blocks: Any, *, surface: str) -> list[str]:
    """Return what Slack would refuse in `blocks` on `surface` ("message", "modal" or "home")."""
    checker = _Checker()
    _check_blocks(checker, blocks, surface, "/blocks")
    return checker.problems


def validate_view(view: Any) -> list[str]:
    """Return what Slack would refuse in a modal or home tab `view`."""
    checker = _Checker()
    if not isinstance(view, dict):
        checker.fail("must be a view object", "/view")
        return checker.problems
    kind = view.get("type")
    if kind not in VIEW_TYPES:
        checker.fail(f"must be one of {', '.join(sorted(VIEW_TYPES))}", "/view/type")
        return checker.problems
    if kind == "modal":
        checker.text(view.get("title"), 24, "/view/title", plain_only=True)
    for button in ("submit", "close"):
        if button in view:
            checker.text(view[button], 24, f"/view/{button}", plain_only=True)
    for key, limit in (("callback_id", 255), ("private_metadata", 3000), ("external_id", 255)):
        if key in view:
            checker.max_len(view[key], limit, f"/view/{key}")
    blocks = view.get("blocks")
    _check_blocks(checker, blocks, kind, "/view/blocks")
    has_input = isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "input" for b in blocks
    )
    # Slack refuses a modal whose inputs could never be submitted.
    if kind == "modal" and has_input and "submit" not in view:
        checker.fail("must provide submit when the view has input blocks", "/view/submit")
    return checker.problems
