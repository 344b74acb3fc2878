"""Sentence salience: centrality, cues and penalties."""

from __future__ import annotations

import numpy as np

from nlp.rank import centrality, salience


def test_the_sentence_others_echo_is_most_central_and_the_outlier_least() -> None:
    texts = [
        "Teacher training budgets were cut again this year.",
        "Cuts to teacher training budgets hurt rural schools.",
        "Rural schools need teacher training budgets restored.",
        "The canteen serves lunch at noon.",
    ]
    scores = centrality(texts)
    assert scores.max() == 1.0
    assert int(np.argmin(scores)) == 3
    assert scores[:3].min() > scores[3]


def test_centrality_of_degenerate_inputs() -> None:
    assert centrality([]).shape == (0,)
    assert centrality(["Alone."]).tolist() == [1.0]
    assert centrality(["...", "!!!"]).tolist() == [1.0, 1.0]


def test_cues_reward_claims_and_calls_to_action() -> None:
    claim = salience("Teacher involvement is crucial, and we must fund it with 40 million dollars.", 0.5)
    assert {"evaluation", "obligation", "figure"} <= set(claim.cues)
    assert claim.cue > salience("Teachers were present at the meeting in the morning hall.", 0.5).cue


def test_framing_logistics_and_questions_are_penalised() -> None:
    assert "framing" in salience("Here are my three key takeaways from Monday's discussions.", 0.5).penalties
    protocol = "It gives me great pleasure to congratulate you, Sir, on your election to the presidency."
    assert "framing" in salience(protocol, 0.5).penalties
    assert "logistics" in salience("Shall we move on to item 4 on the agenda after the break?", 0.5).penalties
    assert (
        "question" in salience("Do you think the reform will work in practice for everyone?", 0.5).penalties
    )
    assert salience("Girls' enrolment rose by a third after fees were abolished last year.", 0.5).penalty == 0
