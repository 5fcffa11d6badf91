"""Button clicks: approvals (Approve, Reject, Cancel), scale-ups (Undo), incidents (Ack, Investigate, Silence)."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.jobs.rule_outcomes import UNDO_ACTION
from bot.slack import blocks
from bot.slack.incident_blocks import (
    ACKNOWLEDGE_ACTION,
    INVESTIGATE_ACTION,
    SILENCE_ACTION_PREFIX,
    SUGGEST_FIX_ACTION,
    UNSILENCE_ACTION,
)
from bot.slack.incident_group_blocks import (
    GROUP_ACKNOWLEDGE_ACTION,
    GROUP_SILENCE_ACTION_PREFIX,
    GROUP_UNSILENCE_ACTION,
)
from bot.slack.listeners.actions.approval import ack_approval_click, decide_approval
from bot.slack.listeners.actions.incident import ack_incident_click, acknowledge_incident, silence_incident
from bot.slack.listeners.actions.incident_group import acknowledge_incident_group, silence_incident_group
from bot.slack.listeners.actions.investigate import ack_investigate, investigate_incident
from bot.slack.listeners.actions.next_step import ack_next_step, request_next_step
from bot.slack.listeners.actions.suggest_fix import ack_suggest_fix, suggest_fix
from bot.slack.listeners.actions.undo import ack_undo, undo_scale_up
from bot.slack.verification_blocks import NEXT_STEP_ACTION


def register(app: App) -> None:
    """Add the Approve, Reject, Cancel, Undo, Acknowledge (one or all), Investigate and Silence listeners."""
    for action_id in (blocks.APPROVE_ACTION, blocks.REJECT_ACTION, blocks.CANCEL_ACTION):
        app.action(action_id)(ack=ack_approval_click, lazy=[decide_approval])
    app.action(UNDO_ACTION)(ack=ack_undo, lazy=[undo_scale_up])
    app.action(ACKNOWLEDGE_ACTION)(ack=ack_incident_click, lazy=[acknowledge_incident])
    app.action(INVESTIGATE_ACTION)(ack=ack_investigate, lazy=[investigate_incident])
    app.action(SUGGEST_FIX_ACTION)(ack=ack_suggest_fix, lazy=[suggest_fix])
    app.action(NEXT_STEP_ACTION)(ack=ack_next_step, lazy=[request_next_step])
    silences = re.compile(f"^(?:{re.escape(SILENCE_ACTION_PREFIX)}.+|{re.escape(UNSILENCE_ACTION)})$")
    app.action(silences)(ack=ack_incident_click, lazy=[silence_incident])
    app.action(GROUP_ACKNOWLEDGE_ACTION)(ack=ack_incident_click, lazy=[acknowledge_incident_group])
    group_silences = re.compile(f"^(?:{re.escape(GROUP_SILENCE_ACTION_PREFIX)}.+|{re.escape(GROUP_UNSILENCE_ACTION)})$")
    app.action(group_silences)(ack=ack_incident_click, lazy=[silence_incident_group])
