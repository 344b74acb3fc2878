"""Is this label a speaker's name? Shared by the plain-text and caption readers."""

from __future__ import annotations

CONNECTORS = frozenset(
    {"of", "the", "de", "da", "del", "van", "von", "der", "al", "el", "bin", "and", "for", "la", "le", "du"}
)
NOT_SPEAKERS = frozenset({
    "note", "notes", "source", "sources", "date", "title", "subject", "re", "update", "summary", "agenda",
    "time", "location", "venue", "attendees", "present", "apologies", "action", "actions", "decision",
    "item", "topic", "topics", "key takeaways", "takeaways", "background", "contact", "tel", "email",
    "phone", "web", "website", "url", "http", "https", "warning", "important", "ps", "p.s", "edit",
    "photo", "image", "credit", "tags", "category", "keywords", "author", "published", "posted",
})  # fmt: skip


def plausible_speaker(name: str) -> bool:
    """A label names a speaker when each word is capitalized or a name particle ("van", "de").

    Labels such as "Note", "Source" or "Agenda" are headings, not speakers; nor is a bare number.
    """
    words = name.split()
    if not words or name.lower().rstrip(".") in NOT_SPEAKERS or name.strip().isdigit():
        return False
    if not _capitalized(words[0]):
        return False
    return all(_capitalized(word) or word in CONNECTORS for word in words[1:])


def _capitalized(word: str) -> bool:
    first = word.lstrip("'’")[:1]
    return first.isalnum() and not first.islower()  # upper case, a digit, or a script without case
