"""The intent model decides every question: it routes what it places, offers the closest few things for what it
cannot, and a remediation is requested only when its slots parse from the person's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.conversation import Conversation
from agent.intent_model import IntentModel, load_corpus, shared_model
from agent.intents import plan
from agent.phrasing import HELP_TEXT
from agent.slots import for_model
from tests.evals.intent_accuracy import HOSTS, accuracy, heldout, read_by_model, read_now
from tests.unit.agent.fleet import World, make_world, with_memory_conversations


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path)


def test_the_held_out_paraphrases_are_never_trained_on() -> None:
    """Compared as the model reads them, host names replaced, so a copy with another host counts as a copy."""
    trained = {for_model(q, ()) for examples in load_corpus().values() for q in examples}

    assert set() == trained & {for_model(q, HOSTS) for q, _, _ in heldout()}


def test_the_held_out_set_covers_every_intent_of_the_corpus() -> None:
    labels = {intent for _, intent, _ in heldout()}

    assert 150 <= len(heldout())
    assert set(load_corpus()) - {"unrelated"} <= labels


def test_the_router_reads_the_held_out_paraphrases() -> None:
    assert accuracy(read_now, heldout()) >= 0.95


def test_the_intent_model_alone_reads_them_too() -> None:
    assert accuracy(read_by_model, heldout()) >= 0.9


def test_a_model_trained_on_a_corpus_predicts_its_intents() -> None:
    model = IntentModel.train({"a": ["show cpu", "cpu please", "processor load"], "b": ["list logs", "tail logs"]})

    assert ("a", "b") == (model.predict("cpu now"), model.predict("the logs"))


def test_the_model_decides_the_intent_not_the_words() -> None:
    """A model that reads "cpu" as a logs question sends it to the logs tool: no keyword rule overrides it."""
    model = IntentModel.train(
        {"logs": ["cpu", "cpu on hostx", "show cpu"], "approvals": ["pending", "waiting", "to approve"]}
    )

    step = plan("cpu on web-1", HOSTS, Conversation(), model)

    assert ("get_logs", "web-1") == (step.tool, step.args.get("host"))


def test_ordinary_phrasing_is_answered(world: World) -> None:
    answer = world.services.runner.answer("how busy is web-1")

    assert [("get_current_metric", {"metric": "cpu", "host": "web-1"})] == [(c.name, c.args) for c in answer.tool_calls]
    assert answer.answer.startswith("web-1 CPU: ")


def test_the_hottest_box_is_a_ranking(world: World) -> None:
    answer = world.services.runner.answer("hottest box?")

    assert [("top_hosts", {"metric": "cpu", "n": 5, "order": "highest"})] == [
        (c.name, c.args) for c in answer.tool_calls
    ]


def test_an_unplaceable_question_gets_the_closest_few_things_not_the_help(world: World) -> None:
    answer = world.services.runner.answer("tell me a joke about web-2")

    assert answer.answer.startswith("I can't answer that as asked. Did you mean: ")
    assert HELP_TEXT not in answer.answer
    assert 2 == answer.answer.count(", ") + answer.answer.count(" or ") - answer.answer.count(", or")
    assert [] == answer.tool_calls


def test_a_question_missing_the_host_its_intent_needs_gets_suggestions(world: World) -> None:
    answer = world.services.runner.answer("how many cpus does it have")

    assert [] == answer.tool_calls
    assert "Did you mean: " in answer.answer


def test_a_remediation_without_its_target_is_never_requested(world: World) -> None:
    """The model reads "reboot db-1" as a remediation, but no service is named, so nothing is requested."""
    answer = world.services.runner.answer("reboot db-1")

    assert [] == answer.tool_calls
    assert answer.approval_id is None
    assert "restart nginx on db-1" in answer.answer
    assert "Nothing runs until a person approves it." in answer.answer


@pytest.mark.parametrize(
    ("first", "then", "call"),
    [
        (
            "how busy is web-2",
            "reboot nginx there",
            ("request_remediation", {"action": "restart_service", "service": "nginx", "host": "web-2"}),
        ),
        (
            "how busy is db-1",
            "over the last 2 hours",
            ("get_metric_range", {"metric": "cpu", "host": "db-1", "since": "2h"}),
        ),
        ("is db-2 up?", "and memory?", ("get_current_metric", {"metric": "memory", "host": "db-2"})),
    ],
    ids=["restart there", "a window alone", "a metric after a status"],
)
def test_a_follow_up_reads_the_host_and_metric_of_its_thread(
    world: World, first: str, then: str, call: tuple[str, dict[str, object]]
) -> None:
    with_memory_conversations(world)
    world.services.runner.answer(first, thread="T1")

    answer = world.services.runner.answer(then, thread="T1")

    assert [call] == [(c.name, c.args) for c in answer.tool_calls]


def test_a_host_typo_asks_did_you_mean_instead_of_answering_for_the_fleet(world: World) -> None:
    answer = world.services.runner.answer("how busy is web1")

    assert [("get_current_metric", {"metric": "cpu", "host": "web1"})] == [(c.name, c.args) for c in answer.tool_calls]
    assert "Did you mean: web-1" in answer.answer


def test_the_model_is_trained_once_per_process() -> None:
    assert shared_model() is shared_model()
