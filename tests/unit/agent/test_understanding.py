"""Questions the rules cannot place: the intent model routes them, or offers the closest things it can do."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.intent_model import IntentModel, load_corpus, shared_model
from agent.phrasing import HELP_TEXT
from tests.evals.intent_accuracy import accuracy, heldout, read_by_model, read_now
from tests.unit.agent.fleet import World, make_world


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path)


def test_the_held_out_paraphrases_are_never_trained_on() -> None:
    trained = {q for examples in load_corpus().values() for q in examples}

    assert set() == trained & {q.lower() for q, _ in heldout()}


def test_the_router_reads_the_held_out_paraphrases() -> None:
    assert accuracy(read_now, heldout()) >= 0.95


def test_the_intent_model_alone_reads_them_too() -> None:
    assert accuracy(read_by_model, heldout()) >= 0.9


def test_a_model_trained_on_a_corpus_predicts_its_intents() -> None:
    model = IntentModel.train({"a": ["show cpu", "cpu please", "processor load"], "b": ["list logs", "tail logs"]})

    assert ("a", "b") == (model.predict("cpu now"), model.predict("the logs"))


def test_ordinary_phrasing_is_answered(world: World) -> None:
    answer = world.services.runner.answer("how busy is web-1")

    assert [("get_current_metric", {"metric": "cpu", "host": "web-1"})] == [(c.name, c.args) for c in answer.tool_calls]
    assert answer.answer.startswith("web-1 CPU: ")


def test_an_unplaceable_question_gets_the_closest_few_things_not_the_help(world: World) -> None:
    answer = world.services.runner.answer("tell me a joke about web-2")

    assert answer.answer.startswith("I can't answer that as asked. Did you mean: ")
    assert HELP_TEXT not in answer.answer
    assert 2 == answer.answer.count(", ") + answer.answer.count(" or ") - answer.answer.count(", or")
    assert [] == answer.tool_calls


def test_the_model_never_requests_a_remediation_on_its_own(world: World) -> None:
    answer = world.services.runner.answer("reboot db-1")

    assert [] == answer.tool_calls
    assert "restart nginx on db-1" in answer.answer


def test_the_model_is_trained_once_per_process() -> None:
    assert shared_model() is shared_model()
