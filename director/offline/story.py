"""A one-line idea turned into a story, deterministically (no LLM); director/offline/story_shots.py plans its shots.

Every fact in the idea survives: the synopsis opens with the idea itself, its people named in place ("Elias, a young
wizard, explores ..."), and the arc ends the way the idea asks ("befriends a ghost" ends in friendship). The
draft lists its cast (with every stated fact), its places (with the time and weather the idea states) and its beats
beside the prose, so the plan reads the same people, places and time the creator confirmed, including renames.
"""

from __future__ import annotations

import re

from director.offline.cast_cards import CastMember
from director.offline.story_concept import Concept, Site, derive_concept, seed_of
from director.offline.story_lines import ARCS, ON_PLACES, ZH_ENDINGS, ZH_ENDINGS_DEFAULT, ZH_MIDDLES
from director.offline.vocabulary import OBJECTS, PLACE_SYNONYMS, ZH_CITIES, Tone, find_words, pick
from director.schemas import CastEntry, StoryDraft
from generator.text import has_cjk, upper_first

_REQUEST_PREFIX = re.compile(
    r"^(?:please\s+)?(?:i(?: would|'d)? (?:want|like) (?:to see\s+)?)?(?:(?:make|create|write|generate|tell|give)\s+"
    r"(?:me\s+)?)?(?:an?\s+)?(?:[\w-]+\s+)?(?:(?:film|video|story|movie|animation|clip)\s+)?"
    r"(?:about|of|where|in which)\s+",
    re.IGNORECASE,
)
ENDING_MARKERS = ("In the end, ", "最后，")
MOOD_SENTENCE = re.compile(r"The mood is [^.]*\.")
_ZH_WORD = {english: word for word, english in {**PLACE_SYNONYMS, **OBJECTS}.items() if has_cjk(word)}
_SKILL = re.compile(
    r"\b(?:teach(?:es)?\s+(?:[\w']+\s+){1,3}?(?:how\s+)?to|learns?\s+(?:how\s+)?to)\s+(?P<skill>\w+(?:\s+(?!(?:in|at|on|"
    r"with|before|after|by|from|for|and|while|under|across|through)\b)\w+){0,2})",
    re.I,
)
_WORK = re.compile(r"\b(?P<verb>build|repair|fix|restore)(?:s|es|ing)?\s+(?:a|an|the|their|his|her)\s+"
                   r"(?P<what>[\w-]+(?:\s+(?!(?:in|at|on|to|with|before|after|by|for|and)\b)[\w-]+)?)",
                   re.I)  # fmt: skip


def write_story_from_idea(idea: str) -> StoryDraft:
    idea = " ".join(idea.split())
    seed = seed_of(idea)
    concept = derive_concept(idea, seed)
    zh = concept.language == "zh"
    hero = concept.cast[0]
    other, target = _arc_partner(concept, idea)
    beats = _arc_sentences(concept, idea, hero, other, target)
    sentences = [_premise(idea, concept.cast, zh), *beats, mood_sentence(concept.tone)]
    return StoryDraft(
        title=_title(concept, idea),
        description=("" if zh else " ").join(sentences),
        style=concept.tone.style,
        language=concept.language,
        cast=[CastEntry(name=member.name, description=member.phrase) for member in concept.cast],
        places=[site.entry() for site in concept.sites],
        beats=beats,
    )


def mood_sentence(tone: Tone) -> str:
    return f"The mood is {tone.mood}."


def _premise(idea: str, cast: list[CastMember], zh: bool) -> str:
    """The idea as the synopsis's first sentence, each person named where the idea first mentions them."""
    text = idea
    groups: dict[tuple[int, int], list[CastMember]] = {}
    for member in cast:
        if member.span is not None and not member.named:
            groups.setdefault(member.span, []).append(member)
    for (start, end), members in sorted(groups.items(), reverse=True):
        names = " and ".join(member.name for member in members)
        if zh:
            text = text[:end] + names + text[end:]
            continue
        span = text[start:end]
        following = text[end:]
        closing = "" if not following.strip() or following.lstrip()[:1] in ",.;:!?" else ","
        if following.startswith("'s"):  # "her grandmother's attic" -> "her grandmother Elena's attic"
            named = f"{span} {names}"
        elif re.match(r"(?:an?|the)\s", span, re.IGNORECASE):
            named = f"{names}, {span[:1].lower()}{span[1:]}{closing}"
        else:
            named = f"{span}, {names}{closing}"
        text = text[:start] + named + following
    text = _REQUEST_PREFIX.sub("", text, count=1)[:400].rstrip(" ,;:")
    text = upper_first(text)
    return text if text.endswith((".", "!", "?", "。", "！", "？")) else text + ("。" if zh else ".")


def _arc_partner(concept: Concept, idea: str) -> tuple[CastMember, str]:
    """Who the arc's verb is about ("befriends a ghost" -> the ghost) and how the story names them: a cast member,
    or the words of the idea when that person is not on the cast ("hunt a jewel thief" -> "the jewel thief")."""
    others = concept.cast[1:]
    pattern = dict(ARCS).get(concept.arc)
    if pattern is None or (verb := pattern.search(idea)) is None:
        return others[0], others[0].name
    after = [member for member in others if member.span is not None and verb.end() <= member.span[0] < verb.end() + 12]
    if after:
        return after[0], after[0].name
    if concept.language == "en" and (
        thing := re.match(
            r"\w*\s+(?:(?:after|for|down)\s+)?(?:an?|the)\s+(?P<what>(?:[a-z-]+\s+){0,2}?[a-z-]+)\b"
            r"(?=\s+(?:through|in|at|across|on|around|into|from|to|with|and)\b|[,.;]|$)",
            idea[verb.end() :],
        )
    ):
        return others[0], f"the {thing['what']}"
    return others[0], others[0].name


def _arc_sentences(concept: Concept, idea: str, hero: CastMember, other: CastMember, target: str) -> list[str]:
    seed, thing = concept.seed, concept.thing
    last = concept.sites[-1].phrase
    a, b = hero.name, other.name
    if concept.language == "zh":
        here, there = _zh_site(concept.sites[0]), _zh_site(concept.sites[-1])
        start, middle = ZH_MIDDLES.get(concept.arc, ZH_MIDDLES[""])
        return [
            f"{a}在{here}过着平静的日子。",
            start.format(a=a, b=b, thing=zh_noun(thing)),
            middle.format(a=a, b=b, doubt=pick(["充满怀疑", "另有打算", "十分担忧"], seed)),
            f"在最关键的时刻，{a}必须在{there}冒险一搏。",
            ENDING_MARKERS[1] + ZH_ENDINGS.get(concept.arc, pick(ZH_ENDINGS_DEFAULT, seed)).format(a=a, b=b),
        ]
    introduce = f"{b}, {other.phrase}," if other.span is None else b
    habit = pick(["quiet days", "long hours", "every spare moment"], seed)
    if concept.arc == "friendship":
        middle = [f"{a} spends {habit} {_at(concept.sites[0])}, mostly alone.",
                  f"Everything changes the moment {a} first meets {introduce} there.",
                  f"At first {b} keeps away, wary and hard to read, and the two misunderstand each other.",
                  f"When trouble comes to the {last}, {a} and {b} must trust each other."]  # fmt: skip
        ending = f"{a} and {b} become true friends"
    elif concept.arc == "love":
        middle = [f"{a} spends {habit} {_at(concept.sites[0])}.",
                  f"Everything changes the day {a} and {introduce} meet.",
                  "Pride and misunderstandings keep them apart.",
                  f"At the height of the trouble {_at(concept.sites[-1])}, {a} risks everything for {b}."]  # fmt: skip
        ending = f"{a} and {b} admit their love for each other"
    elif concept.arc == "pursuit":
        middle = [f"{a} picks up the trail {_at(concept.sites[0])}.",
                  f"{upper_first(target)} stays one step ahead, and the chase grows desperate.",
                  f"{upper_first(_at(concept.sites[-1]))}, {a} finally corners {target}."]  # fmt: skip
        if target != b:
            middle.insert(1, f"{introduce} is never far behind.")
        ending = f"{a} catches up with {target} at last and learns the truth"
    elif concept.arc == "rescue":
        middle = [f"{a} spends {habit} {_at(concept.sites[0])}.",
                  f"Danger closes in, and {introduce} is caught in the middle of it.",
                  f"{upper_first(_at(concept.sites[-1]))}, {a} must risk everything."]  # fmt: skip
        ending = f"{a} and {b} are safe at last"
    elif concept.arc == "search":
        middle = [f"{a} searches every corner of the {concept.sites[0].phrase}.",
                  f"{introduce} joins the search, but every clue seems to lead nowhere.",
                  f"{upper_first(_at(concept.sites[-1]))}, {a} follows one last clue."]  # fmt: skip
        ending = f"what was lost is found, and {a} and {b} head home together"
    elif concept.arc == "learn":
        skill = _SKILL.search(idea)
        learner = b if re.search(r"\bteach", idea, re.I) else a
        middle = [f"{a} spends {habit} {_at(concept.sites[0])}.",
                  f"{introduce} is there for every lesson, and every attempt goes wrong at first.",
                  f"{upper_first(_at(concept.sites[-1]))}, {learner} has to try alone."]  # fmt: skip
        ending = f"{learner} can {skill['skill']} without any help" if skill else f"{learner} has learned the lesson"
    elif concept.arc == "build":
        work = _WORK.search(idea)
        what = work["what"] if work else "work"
        done = "works again" if work and work["verb"].lower() != "build" else "is finished"
        middle = [f"{a} and {introduce} gather everything they need {_at(concept.sites[0])}.",
                  "Nothing fits the first time, and tempers fray.",
                  f"{upper_first(_at(concept.sites[-1]))}, with time running out, they try one last time."]  # fmt: skip
        ending = f"the {what} {done}, and {a} and {b} stand back proudly" if work else f"{a} and {b} finish the job"
    else:
        found = pick(["hidden among forgotten things", "where nothing should be", "glowing faintly in the dark"], seed)
        reaction = pick([f"wants the {thing} for themselves", f"warns that the {thing} is dangerous",
                         "does not believe a word of it"], seed)  # fmt: skip
        stake = pick([f"protect the {thing}", f"unlock the secret of the {thing}",
                      f"return the {thing} where it belongs"], seed)  # fmt: skip
        middle = [f"{a} spends {habit} {_at(concept.sites[0])}.",
                  f"Everything changes when {a} discovers a {thing} {found}.",
                  f"{introduce} {reaction}, and the two clash.",
                  f"At the height of the trouble {_at(concept.sites[-1])}, {a} must risk everything to "
                  f"{stake}."]  # fmt: skip
        ending = pick([f"{a} and {b} understand each other at last", f"{a} and {b} share a hard-won peace",
                       f"{a} and {b} stand side by side at last"], seed)  # fmt: skip
    return [*middle, f"{ENDING_MARKERS[0]}{ending}."]


def _title(concept: Concept, idea: str) -> str:
    hero, other = concept.cast[0], concept.cast[1]
    if concept.language == "zh":
        return f"{hero.name}与{other.name}"
    options = [f"{hero.name} and {other.name}"]
    options += [f"The {site.phrase.title()}" for site in concept.sites[:1] if site.words]
    if other.role is not None and not other.named:
        options.append(f"{hero.name} and the {other.role.noun.title()}")
    if find_words(idea, OBJECTS.items()):
        options.append(f"{hero.name} and the {concept.thing.title()}")
    return pick(options, concept.seed, "title")


def zh_noun(noun: str) -> str:
    return _ZH_WORD.get(noun, noun)


def _zh_site(site: Site) -> str:
    city = next((word for word, english in ZH_CITIES.items() if english == site.label), "")
    return city or zh_noun(site.place.noun)


def _at(site: Site) -> str:
    if site.label and site.place.noun in ("city", "land"):
        return f"{'on' if site.place.noun == 'land' else 'in'} {site.label}"
    return f"{'on' if site.place.noun in ON_PLACES else 'in'} the {site.phrase}"
