"""The stand-in's file uploads, driven by slack_sdk's files_upload_v2 as the bot drives them:
an upload URL, the bytes posted to it, then the share; refused as Slack refuses."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.error import HTTPError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack_standin import UPLOAD, SlackStandIn

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as running:
        running.add_user("U1", email="ada@example.com", real_name="Ada Lovelace")
        yield running


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    return WebClient(base_url=standin.base_url, token=standin.bot_token)


def api_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value


def test_files_upload_v2_shares_the_bytes_in_a_dm_with_its_comment(
    client: WebClient, standin: SlackStandIn
) -> None:
    reply = client.files_upload_v2(
        channel=standin.dm_channel("U1"),
        file=PNG,
        filename="adoption-2026-W48.png",
        title="Adoption",
        initial_comment="*Weekly* summary",
        alt_txt="Line chart of adoption",
    )

    shared = reply["file"]
    assert (shared["name"], shared["title"], shared["mimetype"]) == (
        "adoption-2026-W48.png",
        "Adoption",
        "image/png",
    )
    assert shared["size"] == len(PNG) and "content" not in shared
    assert [(c.method, c.ok) for c in standin.calls()] == [
        ("files.getUploadURLExternal", True),
        (UPLOAD, True),
        ("files.completeUploadExternal", True),
    ]
    assert standin.calls("files.getUploadURLExternal")[0].args["length"] == str(len(PNG))
    [kept] = standin.uploaded_files()
    assert kept["content"] == PNG and kept["channels"] == [standin.dm_channel("U1")]
    assert kept["alt_txt"] == "Line chart of adoption"
    [message] = standin.messages("U1")
    assert message["text"] == "*Weekly* summary"
    assert [f["id"] for f in message["files"]] == [shared["id"]]


def test_completing_an_unknown_file_or_one_never_uploaded_is_file_not_found(
    client: WebClient, standin: SlackStandIn
) -> None:
    error = api_error(
        lambda: client.files_completeUploadExternal(files=[{"id": "F0NOPE", "title": "x"}])
    )
    assert error.response["error"] == "file_not_found"

    started = client.files_getUploadURLExternal(filename="a.png", length=10)
    error = api_error(
        lambda: client.files_completeUploadExternal(
            files=[{"id": started["file_id"], "title": "a"}], channel_id="C0ANY"
        )
    )
    assert error.response["error"] == "file_not_found"
    assert standin.messages() == []


def test_an_upload_url_needs_a_filename_and_a_length(client: WebClient) -> None:
    missing = api_error(lambda: client.api_call("files.getUploadURLExternal", params={"x": "1"}))
    assert missing.response["error"] == "invalid_arguments"
    assert "missing required field: filename" in json.dumps(missing.response.data)
    bad = api_error(lambda: client.files_getUploadURLExternal(filename="a.png", length=0))
    assert bad.response["error"] == "invalid_arguments"


def test_a_share_in_an_unknown_channel_or_with_bad_files_is_refused(
    client: WebClient, standin: SlackStandIn
) -> None:
    started = client.files_getUploadURLExternal(filename="a.png", length=3)
    url = started["upload_url"]  # the loopback stand-in's own: http://127.0.0.1
    request = urllib.request.Request(url, data=b"abc", method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
        assert answer.status == 200
    files = [{"id": started["file_id"], "title": "a"}]
    error = api_error(lambda: client.files_completeUploadExternal(files=files, channel_id="U0NOPE"))
    assert error.response["error"] == "channel_not_found"
    bad = api_error(lambda: client.api_call("files.completeUploadExternal", params={"files": "["}))
    assert bad.response["error"] == "invalid_arguments"
    # The same upload URL takes the bytes once only.
    again = urllib.request.Request(url, data=b"abc", method="POST")  # noqa: S310
    with pytest.raises(HTTPError) as refused:
        urllib.request.urlopen(again, timeout=5)  # noqa: S310
    assert refused.value.code == 404


def test_an_injected_upload_failure_fails_files_upload_v2(
    client: WebClient, standin: SlackStandIn
) -> None:
    standin.fail_next(UPLOAD, status=500)

    with pytest.raises(HTTPError):
        client.files_upload_v2(channel="U1", file=PNG, filename="a.png")

    assert [(c.method, c.ok) for c in standin.calls()] == [
        ("files.getUploadURLExternal", True),
        (UPLOAD, False),
    ]
    assert standin.messages() == []
