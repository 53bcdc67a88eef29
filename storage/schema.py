"""Every table of the bot in one `Base.metadata`: importing this module imports every model
module, for Alembic (storage/migrations/env.py), the schema checks and the tests' clean-up.

The model modules form a tree over storage/base.py, never a cycle: models (members, business
accounts, alerts, ...) builds on the base; cases, nudges and reporting build on the base and
refer to the tables of models; workspace_models (the installs, and slack_sdk's OAuth tables)
builds on the base alone.
"""

from __future__ import annotations

from storage import (
    campaign_models,
    case_models,
    exemption_models,
    models,
    nudge_models,
    settings_models,
    stats_models,
    workspace_models,
)
from storage.base import Base

MODEL_MODULES = (
    models,
    case_models,
    nudge_models,
    stats_models,
    workspace_models,
    settings_models,
    exemption_models,
    campaign_models,
)
metadata = Base.metadata

__all__ = ["MODEL_MODULES", "Base", "metadata"]
