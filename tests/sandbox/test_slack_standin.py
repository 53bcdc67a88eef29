"""The Slack stand-in, driven over real HTTP by slack_sdk exactly as the bot drives it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from sandbox.slack_standin import SlackStandIn, validate_blocks


class SteppedClock:
    """Monotonic seconds that move only when a test says so (the shared `clock` is a datetime)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def seconds() -> SteppedClock:
    return SteppedClock()


@pytest.fixture
def standin(seconds: SteppedClock) -> Iterator[SlackStandIn]:
    with SlackStandIn(clock=seconds) as running:
        running.add_user("U1", email="ada@example.com", real_name="Ada Lovelace")
        yield running


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    return WebClient(base_url=standin.base_url, token=standin.bot_token)


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(action_id: str) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": "Go"}}


def modal(title: str = "Report a case", **extra: Any) -> dict[str, Any]:
    plain_title = {"type": "plain_text", "text": title}
    return {"type": "modal", "title": plain_title, "blocks": [section("What happened?")], **extra}


def api_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value


# -- auth ---------------------------------------------------------------------------------------


def test_auth_test_names_the_bot(client: WebClient) -> None:
    reply = client.auth_test()

    assert (reply["user_id"], reply["team_id"], reply["bot_id"]) == (
        "U0BOT",
        "T0STANDIN",
        "B0STANDIN",
    )
    assert reply["url"].startswith("https://")


def test_a_wrong_token_is_invalid_auth_and_recorded_as_failed(standin: SlackStandIn) -> None:
    intruder = WebClient(base_url=standin.base_url, token="xoxb-wrong")

    assert api_error(intruder.auth_test).response["error"] == "invalid_auth"
    assert [(c.method, c.ok) for c in standin.calls()] == [("auth.test", False)]


def test_no_token_is_not_authed(standin: SlackStandIn) -> None:
    anonymous = WebClient(base_url=standin.base_url)

    assert api_error(anonymous.auth_test).response["error"] == "not_authed"


def test_a_token_param_is_accepted_and_not_recorded(standin: SlackStandIn) -> None:
    anonymous = WebClient(base_url=standin.base_url)

    assert anonymous.api_call("auth.test", params={"token": standin.bot_token})["ok"] is True
    assert "token" not in standin.calls("auth.test")[0].args


def test_an_unknown_method_is_refused(client: WebClient) -> None:
    assert api_error(lambda: client.api_call("chat.teleport")).response["error"] == "unknown_method"


# -- messages -----------------------------------------------------------------------------------


def test_a_message_to_a_member_lands_in_their_dm_and_updates_in_place(
    standin: SlackStandIn, client: WebClient
) -> None:
    posted = client.chat_postMessage(
        channel="U1", text="Turn on two-step", blocks=[section("*Hi*")]
    )
    client.chat_update(channel=posted["channel"], ts=posted["ts"], text="Done, thanks")

    assert posted["channel"] == standin.dm_channel("U1") == "D1"
    assert re.fullmatch(r"\d{10}\.\d{6}", posted["ts"])
    [message] = standin.messages("U1")
    assert message["ts"] == posted["ts"]
    assert message["text"] == "Done, thanks"
    assert message["blocks"] == [section("*Hi*")]


def test_timestamps_increase(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C1", text=str(i))["ts"] for i in range(3)]

    assert stamps == sorted(stamps, key=float)
    assert len(set(stamps)) == 3


def test_a_message_without_channel_is_channel_not_found(
    standin: SlackStandIn, client: WebClient
) -> None:
    error = api_error(lambda: client.chat_postMessage(channel="", text="hello"))

    assert error.response["error"] == "channel_not_found"
    assert [c.ok for c in standin.calls("chat.postMessage")] == [False]
    assert standin.messages() == []


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_a_message_without_text_or_blocks_is_no_text(client: WebClient) -> None:
    assert api_error(lambda: client.chat_postMessage(channel="C1")).response["error"] == "no_text"


def test_a_message_over_40000_characters_is_too_long(client: WebClient) -> None:
    error = api_error(lambda: client.chat_postMessage(channel="C1", text="x" * 40_001))

    assert error.response["error"] == "msg_too_long"


def test_updating_an_unknown_message_is_message_not_found(client: WebClient) -> None:
    error = api_error(lambda: client.chat_update(channel="C1", ts="1.000100", text="x"))

    assert error.response["error"] == "message_not_found"


def test_an_ephemeral_message_is_recorded_for_its_member(
    standin: SlackStandIn, client: WebClient
) -> None:
    reply = client.chat_postEphemeral(channel="C1", user="U1", text="Only you can see this")

    [message] = standin.messages("C1")
    assert (message["user"], message["ts"]) == ("U1", reply["message_ts"])
    missing = api_error(lambda: client.chat_postEphemeral(channel="C1", user="", text="x"))
    assert missing.response["error"] == "user_not_in_channel"


def test_form_encoded_blocks_are_decoded(standin: SlackStandIn, client: WebClient) -> None:
    blocks = [section("sent as a string")]

    client.api_call("chat.postMessage", params={"channel": "C1", "blocks": json.dumps(blocks)})

    assert standin.messages("C1")[0]["blocks"] == blocks


@pytest.mark.parametrize(
    ("blocks", "pointer"),
    [
        pytest.param([section("x")] * 51, "/blocks]", id="51 blocks"),
        pytest.param([section("x" * 3001)], "/blocks/0/text/text", id="3001-char section"),
        pytest.param(
            [{"type": "actions", "elements": [button("go"), button("go")]}],
            "/blocks/0/elements/1/action_id",
            id="duplicate action_id",
        ),
        pytest.param([{"type": "carousel"}], "/blocks/0/type", id="unknown block type"),
    ],
)
def test_blocks_slack_would_refuse_are_invalid_blocks(
    client: WebClient, blocks: list[dict[str, Any]], pointer: str
) -> None:
    error = api_error(lambda: client.chat_postMessage(channel="C1", text="x", blocks=blocks))

    assert error.response["error"] == "invalid_blocks"
    assert any(pointer in problem for problem in error.response["errors"])


def test_blocks_at_the_limits_are_accepted(client: WebClient) -> None:
    blocks = [section("x" * 3000)] * 49 + [
        {"type": "actions", "elements": [button(f"a{i}") for i in range(25)]}
    ]

    assert client.chat_postMessage(channel="C1", text="x", blocks=blocks)["ok"] is True


def test_validate_blocks_allows_more_blocks_in_a_modal_than_in_a_message() -> None:
    blocks = [{"type": "divider"}] * 100

    assert validate_blocks(blocks, surface="modal") == []
    assert validate_blocks(blocks, surface="message") != []


# -- users --------------------------------------------------------------------------------------


def test_users_list_pages_through_every_member_exactly_once(
    standin: SlackStandIn, client: WebClient
) -> None:
    for i in range(448):  # plus Ada and the bot: 450 members
        standin.add_user(f"U{1000 + i}", email=f"m{i}@example.com", real_name=f"Member {i}")

    pages, cursor = [], ""
    while True:
        reply = client.users_list(limit=200, cursor=cursor or None)
        pages.append([member["id"] for member in reply["members"]])
        cursor = reply["response_metadata"]["next_cursor"]
        if not cursor:
            break

    seen = [member_id for page in pages for member_id in page]
    assert [len(page) for page in pages] == [200, 200, 50]
    assert len(seen) == len(set(seen)) == 450
    assert {"U0BOT", "U1", "U1447"} <= set(seen)


def test_users_info_has_slacks_shape(client: WebClient) -> None:
    user = client.users_info(user="U1")["user"]

    assert user["profile"]["email"] == "ada@example.com"
    assert (user["real_name"], user["tz"], user["deleted"]) == (
        "Ada Lovelace",
        "Europe/Berlin",
        False,
    )
    assert api_error(lambda: client.users_info(user="U404")).response["error"] == "user_not_found"


def test_lookup_by_email_finds_active_members_only(
    standin: SlackStandIn, client: WebClient
) -> None:
    standin.add_user("U2", email="gone@example.com", real_name="Gone", deleted=True)

    assert client.users_lookupByEmail(email="ADA@example.com")["user"]["id"] == "U1"
    for email in ("nobody@example.com", "gone@example.com"):
        error = api_error(lambda email=email: client.users_lookupByEmail(email=email))
        assert error.response["error"] == "users_not_found"


def test_conversations_open_returns_the_members_dm(
    standin: SlackStandIn, client: WebClient
) -> None:
    assert client.conversations_open(users="U1")["channel"]["id"] == standin.dm_channel("U1")
    error = api_error(lambda: client.conversations_open(users="U404"))
    assert error.response["error"] == "user_not_found"


# -- views --------------------------------------------------------------------------------------


def test_views_are_recorded_and_updated_by_id(standin: SlackStandIn, client: WebClient) -> None:
    client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("Checklist")]})
    opened = client.views_open(trigger_id="123.456", view=modal(callback_id="case"))["view"]
    client.views_update(view_id=opened["id"], view=modal("Case reported"))

    home = standin.published_view("U1")
    assert home is not None and home["blocks"] == [section("Checklist")]
    assert standin.published_view("U404") is None
    assert opened["id"].startswith("V")
    [current] = standin.opened_views()
    assert (current["id"], current["trigger_id"]) == (opened["id"], "123.456")
    assert current["title"]["text"] == "Case reported"
    assert current["callback_id"] == ""  # an update replaces the whole view, as in Slack


def test_a_modal_title_over_24_characters_is_invalid_arguments(client: WebClient) -> None:
    error = api_error(lambda: client.views_open(trigger_id="1.2", view=modal("x" * 25)))

    assert error.response["error"] == "invalid_arguments"
    assert "/view/title/text" in error.response["response_metadata"]["messages"][0]


def test_a_stale_hash_is_a_hash_conflict(client: WebClient) -> None:
    opened = client.views_open(trigger_id="1.2", view=modal())["view"]
    client.views_update(view_id=opened["id"], view=modal("First"), hash=opened["hash"])

    stale = api_error(
        lambda: client.views_update(view_id=opened["id"], view=modal("Second"), hash=opened["hash"])
    )

    assert stale.response["error"] == "hash_conflict"


# -- response_url -------------------------------------------------------------------------------


def test_response_url_posts_are_recorded(standin: SlackStandIn) -> None:
    reply = WebhookClient(standin.response_url()).send(text="Case closed", replace_original=True)

    assert (reply.status_code, reply.body) == (200, "ok")
    assert standin.response_url_posts() == [{"text": "Case closed", "replace_original": True}]
    assert [c.method for c in standin.calls()] == ["response_url"]


def test_an_unknown_response_url_is_refused(standin: SlackStandIn) -> None:
    forged = standin.response_url().rsplit("/", 1)[0] + "/forged"

    assert WebhookClient(forged).send(text="x").status_code == 404
    assert standin.response_url_posts() == []


# -- waiting ------------------------------------------------------------------------------------


def test_wait_for_returns_the_first_truthy_value(standin: SlackStandIn, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="hello")

    assert standin.wait_for(lambda: standin.messages("C1"))[0]["text"] == "hello"


def test_wait_for_says_what_it_saw_on_timeout(standin: SlackStandIn) -> None:
    with pytest.raises(AssertionError, match="calls so far: none"):
        standin.wait_for(lambda: standin.messages("C1"), timeout=0.05)
