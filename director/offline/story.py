"""An idea turned into a story, deterministically (no LLM); director/offline/story_shots.py plans its shots.

The idea's own events are the story: its clauses in order become the beats, each person named where the idea
first mentions them ("Mira, a retired jazz drummer, teaches her shy teenage neighbour, Sky, ..."), and the ending
follows from them: the idea's last event when it is an outcome ("Sage wins the race"), else what its arc asks
("befriends a ghost" ends in friendship), else a quiet close after the last event. Nothing is invented that the idea
does not imply: no extra people, no found object, no stock plot. The draft lists its cast (with every stated fact),
its places (with the time and weather the idea states) and its beats; the synopsis is the beats.
"""

from __future__ import annotations

import re

from director.offline.cast_cards import CastMember
from director.offline.clauses import (
    LINES,
    clauses_of,
    is_event,
    joined,
    kinds_in,
    sentence,
    summarised,
    who,
    with_subjects,
)
from director.offline.story_concept import Concept, Site, derive_concept, seed_of
from director.offline.vocabulary import (
    PLACE_SYNONYMS,
    TIME_PHRASES,
    WEATHER_WORDS,
    WORDS,
    ZH,
    ZH_CITIES,
    Tone,
    find_words,
    pick,
)
from director.schemas import CastEntry, StoryDraft
from generator.text import has_cjk

_REQUEST_PREFIX = re.compile(
    r"^(?:please\s+)?(?:i(?: would|'d)? (?:want|like) (?:to see\s+)?)?(?:(?:make|create|write|generate|tell|give)\s+"
    r"(?:me\s+)?)?(?:an?\s+)?(?:[\w-]+\s+)?(?:(?:film|video|story|movie|animation|clip)\s+)?"
    r"(?:about|of|where|in which)\s+",
    re.IGNORECASE,
)
ENDING_MARKERS = ("In the end, ", "最后，")
MOOD_SENTENCE = re.compile(r"The mood is [^.]*\.|整体氛围[^。]*。")
ON_PLACES = frozenset(WORDS["on_places"])
# The first arc whose words appear in the idea decides how it ends when its last event is not an outcome.
ARCS = [
    ("love", re.compile(r"\bfalls? in love|\bin love\b|\bromance\b|\bmarr(?:y|ies)\b|\bwedding|爱上|恋爱|爱情", re.I)),
    ("friendship", re.compile(r"\bbefriends?|\bbecomes? friends|\bmakes? friends|交朋友|成为朋友|成了.{0,4}朋友",
                              re.I)),
    ("pursuit", re.compile(r"\bchas(?:e|es|ed|ing)\b|\bhunts?\b|\bhunting\b|\bpursu|\btracks? down|追", re.I)),
    ("rescue", re.compile(r"\brescues?|\bsaves?\b|\bsaving\b|救", re.I)),
    ("search", re.compile(r"\bsearch|\blooks? for\b|寻找|找", re.I)),
    ("learn", re.compile(r"\bteach|\blearns? to|教|学会", re.I)),
    ("build", re.compile(r"\bbuild|\brepair|\bfix(?:es)?\b|\brestore|修|造|建", re.I)),
]  # fmt: skip
_SKILL = re.compile(
    r"\b(?:teach(?:es)?\s+(?:[\w',]+\s+){1,4}?(?:how\s+)?to|learns?\s+(?:how\s+)?to)\s+(?P<skill>\w+(?:\s+(?!(?:in|at|on|"
    r"with|before|after|by|from|for|and|while|under|across|through)\b)\w+){0,2})",
    re.I,
)
_WORK = re.compile(r"\b(?P<verb>build|repair|fix|restore)(?:s|es|ing)?\s+(?:a|an|the|their|his|her)\s+"
                   r"(?P<what>[\w-]+(?:\s+(?!(?:in|at|on|to|with|before|after|by|for|and|every|each|again|"
                   r"together)\b)[\w-]+)?)",
                   re.I)  # fmt: skip


def write_story_from_idea(idea: str) -> StoryDraft:
    idea = _REQUEST_PREFIX.sub("", " ".join(idea.split()), count=1)
    concept = derive_concept(idea, seed_of(idea))
    beats = story_beats(introduced(idea, concept.cast, concept.language), concept)
    return StoryDraft(
        title=_title(concept, beats),
        description=("" if concept.language == "zh" else " ").join(
            [*beats, mood_sentence(concept.tone, concept.language)]
        ),
        style=concept.tone.style_in(concept.language),
        language=concept.language,
        cast=[CastEntry(name=member.name, description=member.phrase) for member in concept.cast],
        places=[zh_entry(site) if concept.language == "zh" else site.entry() for site in concept.sites],
        beats=beats,
        notes=unplaced(idea, concept),
    )


def mood_sentence(tone: Tone, language: str = "en") -> str:
    return ZH["mood_sentence"].format(mood=tone.zh_mood) if language == "zh" else f"The mood is {tone.mood}."


def story_beats(text: str, concept: Concept) -> list[str]:
    """The events of the text in order (at most MAX_EVENTS, whole clauses), then the ending."""
    language, cast = concept.language, concept.cast
    events = summarised(with_subjects(_events(text, language), cast, language), lambda c: _weight(c, concept))
    if len(events) > 1 and set(kinds_in(events[-1], language)) & set(LINES["outcomes"]):
        *events, last = events
        ending = _opening(last, cast)
    else:
        ending = _ending(text, events, concept)
    closing = ENDING_MARKERS[language == "zh"] + ending[:1] + sentence(ending, language)[1:]  # "In the end, the ..."
    return [sentence(event, language) for event in events] + [closing]


def unplaced(idea: str, concept: Concept) -> list[str]:
    """What the creator should hear the story could not hold: events a long idea had to leave out, and a lead
    the planner had to add because the idea names nobody."""
    notes = []
    language = concept.language
    events = with_subjects(_events(introduced(idea, concept.cast, language), language), concept.cast, language)
    kept = summarised(events, lambda c: _weight(c, concept))
    if dropped := [event for event in events if event not in kept]:
        notes.append("The idea is long, so these parts are not beats of the story: " + "; ".join(dropped) + ".")
    added = [member for member in concept.cast if member.span is None and not member.named]
    if language == "zh":
        notes += [
            ZH["added_name"].format(who=member.phrase or idea[member.span[0] : member.span[1]], name=member.name)
            for member in concept.cast
            if member.span is not None and not member.named
        ]
    if added and len(added) == len(concept.cast):
        lead = added[0]
        notes.append(
            f"The idea names nobody, so the story follows {lead.name}, {lead.phrase}; say 'rename {lead.name} to "
            "...' or tell me who it is about."
        )
    return notes


def _events(text: str, language: str) -> list[str]:
    clauses = clauses_of(text, language)
    return [clause for clause in clauses if is_event(clause, language)] or clauses


def _weight(clause: str, concept: Concept) -> int:
    """Who is in a clause, what happens, and a change of weather: what a summary keeps first."""
    changes = len(kinds_in(clause, concept.language)) + bool(find_words(clause, WEATHER_WORDS))
    return 2 * (len(who(clause, concept.cast, concept.language)) + changes)


def introduced(idea: str, cast: list[CastMember], language: str) -> str:
    """The idea with each person the creator did not name named where it first mentions them."""
    text = idea
    groups: dict[tuple[int, int], list[CastMember]] = {}
    for member in cast:
        if member.span is not None:
            groups.setdefault(member.span, []).append(member)
    for (start, end), members in sorted(groups.items(), reverse=True):
        if all(member.named for member in members):
            continue
        names = joined([member.name for member in members], language)
        if language == "zh":
            text = text[:end] + names + text[end:]
            continue
        span, following = text[start:end], text[end:]
        closing = "" if not following.strip() or following.lstrip()[:1] in ",.;:!?" else ","
        if following.startswith("'s"):  # "her grandmother's attic" -> "her grandmother Elena's attic"
            named = f"{span} {names}"
        elif re.match(r"(?:an?|the)\s", span, re.IGNORECASE):
            named = f"{names}, {span[:1].lower()}{span[1:]}{closing}"
        else:
            named = f"{span}, {names}{closing}"
        text = text[:start] + named + following
    return text


def _opening(clause: str, cast: list[CastMember]) -> str:
    """The clause as the end of a sentence starting 'In the end, ': its first letter small unless it is a name."""
    names = {member.name.split()[0] for member in cast}
    first = clause.split()[0] if clause.split() else ""
    return clause if first in names or first == "I" else clause[:1].lower() + clause[1:]


def _ending(text: str, events: list[str], concept: Concept) -> str:
    """What the idea's arc asks for, else a close that stays with the last event."""
    cast, site = concept.cast, concept.sites[-1]
    lead = cast[0].name
    others = [member.name for member in cast[1:]]
    arc = next((arc for arc, pattern in ARCS if pattern.search(text)), "")
    partner = _partner(arc, text, cast) if others else ""
    arc = arc if partner or arc in ("learn", "build", "search") else ""
    if concept.language == "zh":
        options = LINES["zh_endings"].get(arc if others else "", LINES["zh_endings"]["generic"])
        filled = pick(options, concept.seed).format(
            a=lead, b=partner, all=joined([lead, *others], "zh"), place=zh_place(site)
        )
        return filled.rstrip("。")
    if arc and (ending := _arc_ending(arc, text, events, cast, partner)):
        return ending
    kinds = [kind for kind in kinds_in(events[-1], "en") if kind in LINES["endings"]] if events else []
    solo, group = LINES["endings"][kinds[-1] if kinds else "generic"]
    return (group if others else solo).format(a=lead, all=joined([lead, *others]), at=at(site))


def _arc_ending(arc: str, text: str, events: list[str], cast: list[CastMember], other: str) -> str:
    lead = cast[0].name
    if arc == "learn":
        skill = _SKILL.search(text)
        learner = _learner(events, cast)
        return f"{learner} can {skill['skill']} without any help" if skill else f"{learner} has learned the lesson"
    if arc == "build":
        work = _WORK.search(text)
        done = "works again" if work and work["verb"].lower() != "build" else "is finished"
        pair = f"{lead} and {other}" if other else lead
        return f"the {work['what']} {done}, and {pair} {'stand' if other else 'stands'} back proudly" if work else ""
    if not other:
        return ""
    return {
        "love": f"{lead} and {other} admit their love for each other",
        "friendship": f"{lead} and {other} become true friends",
        "pursuit": f"{lead} catches up with {other} at last and learns the truth",
        "rescue": f"{lead} and {other} are safe at last",
        "search": f"what was lost is found, and {lead} and {other} head home together",
    }[arc]


def _partner(arc: str, text: str, cast: list[CastMember]) -> str:
    """Whom the arc is about: the first person named after its verb ("hunt Ash, a jewel thief"); for love and
    friendship, which two share, else the second person; nobody for a chase or rescue of no one ("chase a kite")."""
    pattern = dict(ARCS)[arc] if arc else None
    verb = pattern.search(text) if pattern else None
    after = [name for name in who(text[verb.end() :], cast) if name != cast[0].name] if verb else []
    if after or arc in ("pursuit", "rescue"):
        return after[0] if after else ""
    return cast[1].name


def _learner(events: list[str], cast: list[CastMember]) -> str:
    """Who is taught: the one named after 'teach', else whoever in the teaching clause is not its subject."""
    for event in events:
        if teach := re.search(r"\bteach(?:es)?\b", event, re.IGNORECASE):
            after = who(event[teach.end() :], cast)
            before = who(event[: teach.start()], cast)
            rest = [member.name for member in cast if member.name not in before]
            if after or rest:
                return (after or rest)[0]
    return cast[-1].name


def _title(concept: Concept, beats: list[str]) -> str:
    cast = concept.cast
    if concept.language == "zh":
        return "与".join(member.name for member in cast[:2])
    options = [" and ".join(member.name for member in cast[:2])]
    options += [f"The {concept.sites[0].phrase.title()}"] if concept.sites[0].words else []
    if len(cast) > 1 and cast[1].role is not None and not cast[1].named:
        options.append(f"{cast[0].name} and the {cast[1].role.noun.title()}")
    return pick(options, concept.seed, "title")


def zh_entry(site: Site) -> str:
    """The site as a Chinese story's places list states it: '面包店，黎明', '上海，夜晚，雨中'."""
    parts = [
        zh_place(site),
        zh_time(site.time),
        ZH["seasons"].get(site.season, ""),
        ZH["weather_names"].get(site.weather, ""),
    ]
    return "，".join(part for part in parts if part)


def zh_time(time: str) -> str:
    """A time of day in Chinese: 'dawn' -> '黎明'; a time the lists do not know stays as it was written."""
    return ZH["times"].get(time, ZH["times"].get(TIME_PHRASES.get(time, ""), time))


def zh_place(site: Site) -> str:
    """How a Chinese story names the site: '上海', '海边', the creator's own word ('面馆'), a place's own name."""
    if site.said and not has_cjk(site.said):  # a places list in the creator's own letters: 'Central Park'
        return site.phrase
    cities = [word for word, english in ZH_CITIES.items() if english in site.names]
    if has_cjk(site.said) or (site.label and not cities):
        city = next((word for word, english in ZH_CITIES.items() if english == site.city), site.city)
        return f"{city}的{site.said or site.label}" if city else site.said or site.label
    names = [word for word, noun in PLACE_SYNONYMS.items() if noun == site.place.noun and has_cjk(word)]
    names = cities + names if site.place.noun in ("city", "land") else names + cities
    return names[0] if names else site.phrase


def at(site: Site) -> str:
    if site.label and site.place.noun in ("city", "land"):
        return f"in {site.label}"
    return f"{'on' if site.place.noun in ON_PLACES else 'in'} the {site.phrase}"
