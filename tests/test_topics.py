"""Emerging topics: NMF over the sentences no theme covers, with top terms and example sentences."""

from __future__ import annotations

import pydantic
import pytest

from nlp.corpus import CorpusBuilder
from nlp.summary import DocumentSummary, EventFacts, ModelInfo, SentenceRecord
from nlp.topics import FILLER_WORDS, EmergingTopic, TopicExample, emerging_topics

# Two subjects the default taxonomy does not cover, as a school board might discuss them, spread over
# five documents each, plus back-channel talk that must not become a topic or an example.
BUS = [
    "The morning bus route from the estate now takes over an hour to reach the school.",
    "Parents complained that the school bus was late three times last week.",
    "We need a second bus on the northern route because the first one is full.",
    "The council plans to cut two rural bus routes that serve the secondary school.",
    "Children waiting at the bus stop in the rain is not acceptable.",
    "The transport contract with the bus operator ends in July.",
    "Drivers on the school routes have asked for a revised timetable.",
    "Some pupils change buses twice before they arrive at school.",
    "The new route adds twenty minutes to the journey for the youngest pupils.",
    "Free school transport is only offered to pupils living more than three miles away.",
    "The bus operator says there are not enough drivers to cover every route.",
    "A safer bus stop outside the primary school was requested by the parents' association.",
    "The evening bus leaves before the after-school clubs finish.",
    "Transport costs for the district rose sharply after the fuel price increase.",
    "The route review will look at pick-up times and bus capacity.",
    "Several families asked whether the bus could stop closer to the village.",
    "The operator will publish the new timetable for the autumn routes next month.",
    "Pupils with disabilities need accessible buses on every school route.",
    "Journey times on the valley route are the longest in the county.",
    "The transport team is mapping which routes overlap so buses can be shared.",
    "A driver shortage has left the western route without a bus on Fridays.",
    "The school asked the operator for seat belts on all buses.",
    "Late buses mean pupils miss the start of the first lesson.",
    "The council compared the cost of a minibus with the cost of a taxi contract for the route.",
    "Students in sixth form lose their free bus pass when they turn seventeen.",
    "The bus company agreed to add a stop near the new housing development.",
    "Timetables for the school buses are posted on the transport page.",
    "The bus was overcrowded and some pupils had to stand for the whole journey.",
    "Transport officers will meet drivers to discuss the winter route changes.",
    "The rural route is the only bus many pupils can take to reach the school.",
]
MEALS = [
    "The canteen ran out of hot meals before the last lunch sitting.",
    "Free school meals should be offered to every pupil in primary school.",
    "Parents asked for healthier options on the lunch menu.",
    "The kitchen staff prepare four hundred meals every day.",
    "The new menu cuts sugar and adds fresh vegetables at lunch.",
    "Lunch queues in the canteen are so long that pupils miss their break.",
    "The catering contract will be retendered with a focus on local food.",
    "Breakfast clubs give children a free meal before lessons start.",
    "Many families who qualify for free meals never register for them.",
    "The dining hall is too small for the number of pupils at lunch.",
    "Cooks say the kitchen equipment is old and often breaks down.",
    "Pupils with allergies need clear labels on every canteen dish.",
    "The price of a school lunch went up by twenty pence this term.",
    "A vegetarian option is now served in the canteen every day.",
    "The catering team buys fruit and vegetables from nearby farms.",
    "Packed lunches brought from home are often less healthy than canteen meals.",
    "The school kitchen wasted a lot of food when the menu changed.",
    "Children said the portions at lunch are too small.",
    "The canteen will start a cashless payment system for meals.",
    "Holiday hunger schemes provide free meals during the summer.",
    "Catering staff will be trained on preparing allergen-free meals.",
    "The menu is planned with a nutritionist to meet food standards.",
    "The dining room gets so noisy at lunch that younger pupils avoid it.",
    "Hot meals are delivered from a central kitchen to the smaller schools.",
    "The lunch break was extended so every pupil can eat a proper meal.",
    "Some pupils skip lunch because they cannot afford the canteen prices.",
    "The kitchen will use less plastic packaging for sandwiches and snacks.",
    "Universal free meals would remove the stigma of the free meals register.",
    "Fresh bread is baked in the school kitchen every morning.",
    "The catering budget has not kept pace with rising food prices.",
]
CHATTER = [
    "Yeah, I think so, you know.",
    "Okay, um, so, right.",
    "Well, I mean, yeah, that's it really.",
    "Uh, sorry, go on.",
]
BUS_WORDS = {"bus", "buses", "route", "routes", "transport", "driver", "drivers", "operator", "timetable"}
MEAL_WORDS = {"meal", "meals", "lunch", "canteen", "kitchen", "menu", "food", "catering", "dining"}


def _items() -> list[tuple[str, int, str]]:
    items = [(f"transport-{i % 5}", i, text) for i, text in enumerate(BUS)]
    items += [(f"meals-{i % 5}", i, text) for i, text in enumerate(MEALS)]
    items += [("chatter", i, text) for i, text in enumerate(CHATTER)]
    return items


def _subject(topic: EmergingTopic) -> str:
    bus, meal = BUS_WORDS & set(topic.terms), MEAL_WORDS & set(topic.terms)
    assert bool(bus) != bool(meal), topic.terms  # each topic is about one subject, never both
    return "transport" if bus else "meals"


def test_two_subjects_are_recovered_with_separating_terms_and_right_examples() -> None:
    topics = emerging_topics(_items(), n_topics=2, top_terms=8, examples=3)
    assert len(topics) == 2
    assert sorted(_subject(t) for t in topics) == ["meals", "transport"]
    assert [t.id for t in topics] == [0, 1]
    assert topics[0].weight >= topics[1].weight > 0.3
    for topic in topics:
        subject = _subject(topic)
        assert len(topic.terms) == 8
        assert (
            len(BUS_WORDS & set(topic.terms) if subject == "transport" else MEAL_WORDS & set(topic.terms))
            >= 2
        )
        assert not FILLER_WORDS & set(topic.terms)
        assert len(topic.examples) == 3
        assert all(e.document_id.startswith(subject) for e in topic.examples)
        assert len({e.document_id for e in topic.examples}) == 3  # from different documents
        source = BUS if subject == "transport" else MEALS
        assert all(source[e.sentence] == e.text for e in topic.examples)


def test_automatic_topic_count_keeps_topics_pure_and_ignores_chatter() -> None:
    topics = emerging_topics(_items())
    assert 2 <= len(topics) <= 10
    assert {_subject(t) for t in topics} == {"meals", "transport"}
    for topic in topics:
        assert {e.document_id.split("-")[0] for e in topic.examples} == {_subject(topic)}
        assert not FILLER_WORDS & set(topic.terms)
    assert abs(sum(t.weight for t in topics) - 1.0) < 1e-3
    assert [t.weight for t in topics] == sorted((t.weight for t in topics), reverse=True)


def test_same_input_gives_the_same_topics() -> None:
    first = emerging_topics(_items(), random_state=7)
    second = emerging_topics(list(_items()), random_state=7)
    assert [t.model_dump() for t in first] == [t.model_dump() for t in second]
    assert first  # not trivially equal


def test_thin_or_empty_input_gives_no_topics() -> None:
    assert emerging_topics([]) == []
    assert emerging_topics(_items()[:19]) == []
    assert emerging_topics([("d", i, "   ") for i in range(50)]) == []
    chatter = [("d", i, CHATTER[i % len(CHATTER)]) for i in range(40)]  # only filler: empty vocabulary
    assert emerging_topics(chatter) == []
    assert emerging_topics([("d", i, "2024 - 25 / 100") for i in range(40)]) == []


def test_topics_are_frozen_records() -> None:
    topic = EmergingTopic(
        id=0, terms=["bus"], weight=0.5, examples=[TopicExample(document_id="d", sentence=1, text="x")]
    )
    with pytest.raises(pydantic.ValidationError):
        topic.weight = 1.0
    with pytest.raises(pydantic.ValidationError):
        EmergingTopic(id=0, terms=[], weight=2.0, examples=[])


COURTESY = [
    "Thank you, Mr. President.",
    "Mr. President, allow me to congratulate you on your election to the presidency of this Assembly.",
    "I would like to thank the Secretary-General for his report and his leadership this year.",
    "Let me begin by thanking the outgoing President for his able stewardship of the session.",
    "Ladies and gentlemen, distinguished delegates, it is an honour to address this Assembly.",
    "We now move on to the next item on the agenda, the minutes of the last meeting.",
    "Good morning, everyone, and welcome to this meeting of the committee.",
    "I congratulate Madam President on her election and assure her of our full support.",
]


def _summary(doc: str, texts: list[str]) -> DocumentSummary:
    text, sentences, position = "", [], 0
    for i, sentence in enumerate(texts):
        sentences.append(SentenceRecord(i=i, text=sentence, start=position, end=position + len(sentence)))
        text += sentence + " "
        position = len(text)
    model = ModelInfo(spacy_pipeline="p", theme_model="m", taxonomy="t")
    return DocumentSummary(
        id=doc, source=f"{doc}.txt", title=None, format="txt", kind="statement", date=None, speakers=[],
        text=text, segments=[], sentences=sentences, takeaways=[], quotes=[], entities=[], facts=EventFacts(),
        keyphrases=[], model=model,
    )  # fmt: skip


def test_courtesies_and_procedure_never_make_an_emerging_topic() -> None:
    """Speeches open with thanks and congratulations and meetings with agenda items: a corpus view that
    looked for topics among them would report "Thank you, Mr. President" as what the corpus discusses."""
    builder = CorpusBuilder()
    for n in range(5):
        subject = BUS[n::5] + MEALS[n::5]
        builder.add(_summary(f"doc-{n}", [*COURTESY, *subject, *COURTESY]))
    corpus = builder.build(labels={})
    examples = [ex.text for topic in corpus.emerging_topics for ex in topic.examples]
    assert corpus.emerging_topics and examples
    assert not set(examples) & set(COURTESY), examples
    assert all(_subject(topic) for topic in corpus.emerging_topics)
