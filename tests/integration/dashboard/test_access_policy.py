"""Who may act, decided without a server: the operators' list, the local opt-out, read-only mode; and what is closed."""

import pytest
from flower.api import control, tasks
from flower.urls import handlers as flower_handlers

from tasks.dashboard import api, pages, sqs_dlq
from tasks.dashboard.access import ANONYMOUS_ACTOR, READ_ONLY, AccessPolicy, Role, visitor
from tasks.dashboard.mount import is_blocked

POLICY = AccessPolicy.from_environment({"DASHBOARD_OPERATORS": "alice, Bob@Justice.gov.uk ,,"})


def test_operators_are_named_by_user_or_e_mail_in_any_case_and_everyone_else_views():
    assert POLICY.operators == frozenset({"alice", "bob@justice.gov.uk"})
    assert visitor(POLICY, "ALICE", read_only=False).may_act
    assert visitor(POLICY, "bob@justice.gov.uk", read_only=False).role is Role.OPERATOR
    carol = visitor(POLICY, "carol", read_only=False)
    assert (carol.role, carol.may_act, carol.actor) == (Role.VIEWER, False, "carol")
    assert "a viewer" in carol.refusal


def test_without_authentication_nobody_acts_unless_the_local_stack_opts_out():
    closed = visitor(POLICY, None, read_only=False)
    local = AccessPolicy.from_environment({"DASHBOARD_ALLOW_ANONYMOUS_ACTIONS": "true"})

    assert not closed.may_act
    assert "no Flower authentication" in closed.refusal
    assert visitor(local, None, read_only=False) == visitor(local, None, read_only=False)
    assert visitor(local, None, read_only=False).may_act
    assert visitor(local, None, read_only=False).actor == ANONYMOUS_ACTOR


def test_read_only_mode_refuses_operators_too():
    assert visitor(POLICY, "alice", read_only=True).refusal == READ_ONLY
    local = AccessPolicy(frozenset(), allow_anonymous_actions=True)
    assert visitor(local, None, read_only=True).refusal == READ_ONLY


def test_an_unclear_opt_out_is_refused_at_start():
    with pytest.raises(ValueError, match="DASHBOARD_ALLOW_ANONYMOUS_ACTIONS"):
        AccessPolicy.from_environment({"DASHBOARD_ALLOW_ANONYMOUS_ACTIONS": "maybe"})
    assert AccessPolicy.from_environment({}) == AccessPolicy(frozenset(), allow_anonymous_actions=False)


def test_every_flower_handler_that_runs_or_controls_tasks_is_blocked_and_no_reader_is():
    targets = {rule[1] if isinstance(rule, tuple) else rule.handler_class for rule in flower_handlers}
    blocked = {target for target in targets if is_blocked(target)}

    assert {tasks.TaskApply, tasks.TaskAsyncApply, tasks.TaskSend, tasks.TaskAbort, control.TaskRevoke} <= blocked
    assert {control.WorkerShutDown, control.WorkerPoolRestart, control.TaskRateLimit} <= blocked
    assert not blocked & {tasks.ListTasks, tasks.TaskInfo, tasks.TaskResult, tasks.ListTaskTypes}


def test_every_state_changing_dashboard_handler_requires_an_operator():
    modules = (api, pages, sqs_dlq)
    handlers = [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type) and value.__module__ == module.__name__ and "post" in vars(value)
    ]

    assert len(handlers) >= 7
    assert [h.__name__ for h in handlers if not getattr(h.post, "__wrapped__", None)] == []
    assert all(getattr(h.post.__wrapped__, "requires_operator", False) for h in handlers)
