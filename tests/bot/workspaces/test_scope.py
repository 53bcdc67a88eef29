"""The key a workspace's data is kept under, and what serving one means for the code below."""

from __future__ import annotations

import pytest

from bot.workspaces.scope import (
    NoWorkspace,
    current_workspace,
    every_workspace,
    serving,
    unserved,
    workspace_id,
    workspace_key,
)


def test_an_org_wide_install_keeps_its_data_under_the_organisation() -> None:
    assert workspace_key("T0SALES", "E0ACME", True) == "E0ACME"
    assert workspace_key("T0SALES", "E0ACME", False) == "T0SALES"  # one workspace of a Grid
    assert workspace_key("T0ALONE", None, False) == "T0ALONE"
    with pytest.raises(NoWorkspace):
        workspace_key(None, None, False)


def test_serving_is_undone_after_its_block_and_nothing_is_every_workspace() -> None:
    with unserved():
        assert current_workspace() is None
        with pytest.raises(NoWorkspace):
            workspace_id()
        with serving("T0ALPHA"):
            assert workspace_id() == "T0ALPHA"
            with every_workspace(), pytest.raises(NoWorkspace):
                workspace_id()  # a new row must name one workspace, never "every"
            assert workspace_id() == "T0ALPHA"
        assert current_workspace() is None
    with pytest.raises(NoWorkspace), serving(""):
        pass
