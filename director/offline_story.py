"""A one-line idea turned into a story and a coherent shot plan, deterministically (no LLM).

Every fact in the idea survives: the synopsis opens with the idea itself, its people named in place ("Elias, a young
wizard, explores ..."), and the arc ends the way the idea asks ("befriends a ghost" ends in friendship). The
description ends with `Cast:`, `Places:` (and, when stated, `Time:`/`Weather:`) lines, so the plan reads the same
people, places and time the creator confirmed, including renames they asked for.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from typing import TypeVar

from director.offline_cast import (
    MAX_CAST,
    CastMember,
    cast_from_idea,
    character_card,
    find_names,
    find_roles,
    new_name,
    with_article,
)
from director.offline_timing import shot_seconds, speech_seconds
from director.offline_vocabulary import (
    ACTIVITY_PLACES,
    AGES,
    CAMERAS,
    DEFAULT_TONE,
    FALLBACK_OBJECTS,
    FALLBACK_PLACES,
    OBJECTS,
    PLACE_SYNONYMS,
    PLACE_WORDS,
    PLACES,
    ROLE_WORDS,
    ROLES,
    TIME_WORDS,
    TONES,
    WEATHER,
    WEATHER_WORDS,
    ZH_CITIES,
    Place,
    Tone,
    find_words,
    pick,
)
from director.schemas import DialogueSpec, SceneSpec, ShotPlanDraft, ShotSpec, StoryDraft
from generator.text import has_cjk, upper_first

Option = TypeVar("Option", str, list[tuple[str, str]])
STAGES = ("setup", "discovery", "conflict", "climax", "resolution")
_REQUEST_PREFIX = re.compile(
    r"^(?:please\s+)?(?:i(?: would|'d)? (?:want|like) (?:to see\s+)?)?(?:(?:make|create|write|generate|tell|give)\s+"
    r"(?:me\s+)?)?(?:an?\s+)?(?:[\w-]+\s+)?(?:(?:film|video|story|movie|animation|clip)\s+)?"
    r"(?:about|of|where|in which)\s+",
    re.IGNORECASE,
)
_CAST_LINE = re.compile(r"^Cast:\s*(?P<cast>.+?)\.?\s*$", re.MULTILINE)
_PLACES_LINE = re.compile(r"^Places:\s*(?P<places>.+?)\.?\s*$", re.MULTILINE)
_TIME_LINE = re.compile(r"^Time:\s*(?P<time>.+?)\.?\s*$", re.MULTILINE)
_WEATHER_LINE = re.compile(r"^Weather:\s*(?P<weather>.+?)\.?\s*$", re.MULTILINE)
_MACHINE_LINES = re.compile(r"^(?:Cast|Places|Time|Weather):.*$", re.MULTILINE)
_ON_PLACES = frozenset(["mountain", "beach", "river", "island", "ship", "rooftop", "street", "train", "farm"])
_TIMES = ["early morning", "late afternoon", "dusk", "night", "a grey morning", "golden hour"]
_COMPANIONS = ("inventor", "grandfather", "cat", "robot", "explorer", "girl", "fisherman")
_PLACE_NAME = re.compile(
    r"\b(?:in|at|on|to|from|near|across|through|into|around|over|outside)\s+(?P<name>[A-Z][a-z]+(?: [A-Z][a-z]+)?)"
)
_PLACE_STOP = frozenset(
    ["a", "an", "the", "his", "her", "their", "my", "our", "its", "in", "at", "on", "to", "of", "through", "into",
     "across", "around", "from", "near", "by", "over", "inside", "outside"]
)  # fmt: skip
ENDING_MARKERS = ("In the end, ", "最后，")
MOOD_SENTENCE = re.compile(r"The mood is [^.]*\.")
_ZH_WORD = {english: word for word, english in {**PLACE_SYNONYMS, **OBJECTS}.items() if has_cjk(word)}
# The first arc whose words appear in the story decides how it ends. Story sentences written for an arc use no
# words of an arc listed before it, so a confirmed story reads back as the same arc.
ARCS = [
    ("love", re.compile(r"\bfalls? in love|\bin love\b|\bromance\b|\bromantic\b|\blove story|\bmarr(?:y|ies)\b|"
                        r"\bwedding|爱上|恋爱|爱情|浪漫", re.I)),
    ("friendship", re.compile(r"\bbefriend|\bfriends?\b|\bfriendship|交朋友|成为朋友|成了.{0,4}朋友|友谊|做朋友",
                              re.I)),
    ("pursuit", re.compile(r"\bchas(?:e|es|ed|ing)\b|\bhunts?\b|\bhunting\b|\bpursu|\btracks? down|\bcatch|追", re.I)),
    ("rescue", re.compile(r"\brescue|\bsaves?\b|\bsaving\b|救", re.I)),
    ("search", re.compile(r"\blos(?:e|es|t)\b|\bmissing\b|\bsearch|\blooks? for\b|\bfinds?\b|寻找|找|丢", re.I)),
    ("learn", re.compile(r"\bteach|\blearn|\blesson|教|学会|学习", re.I)),
    ("build", re.compile(r"\bbuild|\brepair|\bfix(?:es)?\b|\brestore|修|造|建", re.I)),
]  # fmt: skip
_SKILL = re.compile(
    r"\b(?:teach(?:es)?\s+(?:[\w']+\s+){1,3}?(?:how\s+)?to|learns?\s+(?:how\s+)?to)\s+(?P<skill>\w+(?:\s+(?!(?:in|at|on|"
    r"with|before|after|by|from|for|and|while|under|across|through)\b)\w+){0,2})",
    re.I,
)
_WORK = re.compile(r"\b(?P<verb>build|repair|fix|restore)(?:s|es|ing)?\s+(?:a|an|the|their|his|her)\s+"
                   r"(?P<what>[\w-]+(?:\s+(?!(?:in|at|on|to|with|before|after|by|for|and)\b)[\w-]+)?)",
                   re.I)  # fmt: skip


@dataclass(frozen=True)
class Site:
    """A place of the story as the creator described it: 'haunted library', 'city (Shanghai)'."""

    place: Place
    words: tuple[str, ...] = ()
    label: str = ""  # a proper name: Shanghai, Paris

    @property
    def phrase(self) -> str:
        return " ".join([*self.words, self.place.noun])

    def entry(self) -> str:
        return f"{self.phrase} ({self.label})" if self.label else self.phrase


@dataclass(frozen=True)
class Concept:
    language: str
    cast: list[CastMember]
    sites: list[Site]
    thing: str
    tone: Tone
    seed: str
    time: str = ""
    weather: str = ""
    arc: str = ""
    thing_stated: bool = True  # False: the plan invented the object, so shots of an arc story leave it out

    @property
    def places(self) -> list[Place]:
        return [site.place for site in self.sites]


def seed_of(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


def tone_in(text: str) -> Tone:
    return find_tone(text) or TONES[DEFAULT_TONE]


def find_tone(text: str) -> Tone | None:
    """The tone whose keyword appears first in the text (whole words for English), if any."""
    hits = find_words(text, [(keyword, tone) for tone in TONES.values() for keyword in tone.keywords], plural=False)
    return hits[0][2] if hits else None


def tone_of_style(style: str, text: str) -> Tone:
    return next((tone for tone in TONES.values() if tone.style == style), None) or tone_in(f"{style} {text}")


def derive_concept(text: str, seed: str, tone: Tone | None = None) -> Concept:
    """People, places, time, weather, the story object, the arc and the tone found in (or chosen for) the text."""
    prose = _MACHINE_LINES.sub("", text)
    language = "zh" if has_cjk(prose) else "en"
    written = _CAST_LINE.search(text) is not None
    time = _TIME_LINE.search(text) if written else None
    weather = _WEATHER_LINE.search(text) if written else None
    return Concept(
        language,
        _cast_in(text, language, seed),
        _sites_in(text, seed),
        _thing_in(text, seed),
        tone or tone_in(text),
        seed,
        time=time["time"] if time else ("" if written else _first(prose, TIME_WORDS)),
        weather=weather["weather"] if weather else ("" if written else _first(prose, WEATHER_WORDS)),
        arc=next((arc for arc, pattern in ARCS if pattern.search(prose)), ""),
        thing_stated=bool(find_words(prose, OBJECTS.items())),
    )


def write_story_from_idea(idea: str) -> StoryDraft:
    idea = " ".join(idea.split())
    seed = seed_of(idea)
    concept = derive_concept(idea, seed)
    zh = concept.language == "zh"
    hero = concept.cast[0]
    other, target = _arc_partner(concept, idea)
    sentences = [_premise(idea, concept.cast, zh), *_arc_sentences(concept, idea, hero, other, target)]
    sentences.append(mood_sentence(concept.tone))
    lines = [_cast_line(concept.cast), _places_line(concept.sites)]
    lines += [f"Time: {concept.time}."] if concept.time else []
    lines += [f"Weather: {concept.weather}."] if concept.weather else []
    description = ("" if zh else " ").join(sentences) + "\n" + "\n".join(lines)
    return StoryDraft(title=_title(concept, idea), description=description, style=concept.tone.style,
                      language=concept.language)  # fmt: skip


def plan_from_story(story: StoryDraft, num_shots: int) -> ShotPlanDraft:
    """Exactly `num_shots` shots following the story's arc, cast, places and time."""
    seed = seed_of(f"{story.title}\n{story.description}")
    concept = derive_concept(f"{story.title}. {story.description}", seed, tone_of_style(story.style, story.description))
    scene_count = max(1, min(len(concept.sites), 4, math.ceil(num_shots / 3)))
    scenes = [_scene_spec(site, concept, seed) for site in concept.sites[:scene_count]]
    shots: list[ShotSpec] = []
    for index in range(num_shots):
        stage = STAGES[round(index * 4 / (num_shots - 1)) if num_shots > 1 else 1]
        scene_index = min(scene_count - 1, index * scene_count // num_shots)
        place = concept.sites[scene_index].place
        shot = _shot(concept, stage, index, scenes[scene_index].name, place, previous=shots[-1] if shots else None)
        shots.append(shot)
    used = {name for shot in shots for name in shot.characters}
    characters = [character_card(member, seed) for member in concept.cast if member.name in used]
    return ShotPlanDraft(characters=characters, scenes=scenes, shots=shots)


def mood_sentence(tone: Tone) -> str:
    return f"The mood is {tone.mood}."


def _cast_line(cast: list[CastMember]) -> str:
    return "Cast: " + "; ".join(f"{member.name}, {member.phrase}" for member in cast) + "."


def _places_line(sites: list[Site]) -> str:
    return "Places: " + ", ".join(site.entry() for site in sites) + "."


def _first(text: str, vocabulary: list[tuple[str, str]]) -> str:
    hits = find_words(text, vocabulary, plural=False)
    return hits[0][2] if hits else ""


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
        start, middle = _ZH_MIDDLES.get(concept.arc, _ZH_MIDDLES[""])
        return [
            f"{a}在{here}过着平静的日子。",
            start.format(a=a, b=b, thing=_zh(thing)),
            middle.format(a=a, b=b, doubt=pick(["充满怀疑", "另有打算", "十分担忧"], seed)),
            f"在最关键的时刻，{a}必须在{there}冒险一搏。",
            ENDING_MARKERS[1] + _ZH_ENDINGS.get(concept.arc, pick(_ZH_ENDINGS_DEFAULT, seed)).format(a=a, b=b),
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


_ZH_ENDINGS = {
    "friendship": "{a}和{b}成了真正的朋友。",
    "love": "{a}和{b}终于走到了一起。",
    "pursuit": "{a}终于追上了{b}，也弄清了真相。",
    "rescue": "{a}和{b}都平安无事。",
    "search": "{a}终于找回了失去的东西。",
    "learn": "{b}终于学会了，{a}露出了欣慰的笑容。",
    "build": "{a}和{b}终于大功告成。",
}
_ZH_MIDDLES = {  # (what changes everything, what stands in the way)
    "": ("直到有一天，{a}发现了一个神秘的{thing}。", "{b}对此{doubt}，两人之间起了冲突。"),
    "friendship": ("直到有一天，{a}遇见了{b}。", "起初{b}总是躲着{a}，两人之间误会重重。"),
    "love": ("直到有一天，{a}和{b}相遇了。", "骄傲和误会让他们一再错过。"),
    "pursuit": ("{a}发现了{b}的踪迹，一路追了下去。", "{b}总是快人一步，追逐越来越紧张。"),
    "rescue": ("危险一步步逼近，{b}被困其中。", "时间所剩无几，{a}必须做出选择。"),
    "search": ("{a}四处寻找，却毫无头绪。", "{b}也加入进来，可每条线索都断了。"),
    "learn": ("{b}一次次尝试，却总是失败。", "{a}耐心地陪在一旁，从不放弃。"),
    "build": ("{a}和{b}一起动手，却总是出错。", "两人越来越着急，差点吵了起来。"),
}
_ZH_ENDINGS_DEFAULT = ["{a}和{b}终于理解了彼此。", "{a}和{b}一起迎来了新的一天。", "{a}和{b}并肩站在了一起。"]


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


def _zh(noun: str) -> str:
    return _ZH_WORD.get(noun, noun)


def _zh_site(site: Site) -> str:
    city = next((word for word, english in ZH_CITIES.items() if english == site.label), "")
    return city or _zh(site.place.noun)


def _sites_in(text: str, seed: str) -> list[Site]:
    """The Places line when present, else the places the text names (only those); two invented ones if none."""
    if match := _PLACES_LINE.search(text):
        listed = [site for entry in match["places"].split(",") if (site := _site_of(entry.strip()))]
        if listed:
            return listed[:4]
    sites: list[Site] = []
    covered_until = -1
    in_roles = [(position, position + len(word)) for position, word, _ in find_words(text, ROLE_WORDS)]
    for position, word, noun in find_words(text, PLACE_WORDS):
        if position < covered_until or any(site.place.noun == noun for site in sites):
            continue
        covered_until = position + len(word)
        part_of_role = any(start <= position < end for start, end in in_roles)  # "lighthouse keeper"
        words = () if has_cjk(word) or part_of_role else _place_words(text, position)
        sites.append(Site(PLACES[noun], words))
    label = _place_name(text)
    if sites and label:
        sites[0] = Site(sites[0].place, sites[0].words, label)
    elif label:
        sites.append(Site(PLACES["city" if label in ZH_CITIES.values() else "land"], (), label))
    elif not sites and (activity := _first(text, ACTIVITY_PLACES)):
        sites.append(Site(PLACES[activity]))
    elif not sites:
        first = pick(FALLBACK_PLACES, seed, "place", 0)
        second = pick([noun for noun in FALLBACK_PLACES if noun != first], seed, "place", 1)
        sites = [Site(PLACES[first]), Site(PLACES[second])]
    return sites[:4]


def _site_of(entry: str) -> Site | None:
    label = ""
    if match := re.fullmatch(r"(?P<phrase>.+?)\s*\((?P<label>[^)]+)\)", entry):
        entry, label = match["phrase"], match["label"]
    words = entry.split()
    if not words or words[-1] not in PLACES:
        return None
    return Site(PLACES[words[-1]], tuple(words[:-1]), label)


def _place_words(text: str, position: int) -> tuple[str, ...]:
    """Descriptive words right before a place noun ('a haunted castle library' -> haunted), skipping other places."""
    words: list[str] = []
    for token in reversed(re.findall(r"[\w'-]+|[^\w\s]", text[:position])[-5:]):
        lowered = token.lower()
        if lowered in _PLACE_STOP or not re.fullmatch(r"[a-z][\w-]*", token) or len(words) == 2:
            break
        if lowered in PLACES or lowered in PLACE_SYNONYMS or lowered in ROLES:
            continue
        words.insert(0, lowered)
    return tuple(words)


def _place_name(text: str) -> str:
    for word, english in ZH_CITIES.items():
        if word in text:
            return english
    people = find_names(text)
    for match in _PLACE_NAME.finditer(text):
        if match["name"] not in people and match["name"].lower() not in PLACES:
            return match["name"]
    return ""


def _thing_in(text: str, seed: str) -> str:
    hits = find_words(text, OBJECTS.items())
    return hits[0][2] if hits else pick(FALLBACK_OBJECTS, seed, "thing")


def cast_entries(text: str) -> list[tuple[str, str]]:
    """(name, phrase) of each entry of the text's Cast line ("Cast: Ash, a young wizard; ..."); [] without one."""
    if not (match := _CAST_LINE.search(text)):
        return []
    entries = []
    for entry in match["cast"].split(";"):
        name, _, phrase = entry.partition(",")
        entries.append((name.strip(), phrase.strip()))
    return entries


def _cast_in(text: str, language: str, seed: str) -> list[CastMember]:
    """1-3 people: the Cast line when present, else the people of the text; at least two for a story."""
    if entries := cast_entries(text):
        cast = []
        for name, phrase in entries:
            roles = find_roles(phrase)
            if name:
                cast.append(CastMember(name, roles[-1][2] if roles else None, phrase, named=True))
        cast = cast[:MAX_CAST]
    else:
        cast = cast_from_idea(text, language, seed)
    represented = {member.role.noun for member in cast if member.role}
    while len(cast) < 2:
        companion = pick([ROLES[noun] for noun in _COMPANIONS if noun not in represented], seed, len(cast))
        represented.add(companion.noun)
        name = new_name(companion, language, seed, {member.name for member in cast})
        words = f"{pick(AGES[companion.age], seed, companion.noun)} {companion.noun}" if companion.human else ""
        phrase = words or companion.noun
        cast.append(CastMember(name, companion, with_article(phrase)))
    return cast


def _scene_spec(site: Site, concept: Concept, seed: str) -> SceneSpec:
    place = site.place
    side = "Inside" if place.interior else "Outside"
    where = f"{side.lower()} the {site.phrase}" + (f" in {site.label}" if site.label and place.noun != "city" else "")
    if site.label and place.noun == "city":
        where = f"the streets of {site.label}"
    elif site.label and place.noun == "land":
        where = site.label
    weather = WEATHER.get(concept.weather)
    sky = f"; {weather[0]}{' outside' if place.interior else ''}" if weather else ""
    return SceneSpec(
        name=site.label if site.label and place.noun in ("city", "land") else place.noun.title(),
        location=where,
        time_of_day=concept.time or pick(_TIMES, seed, place.noun),
        description=f"{upper_first(where)}: {place.description}{sky}.",
    )


_ACTIONS = {
    "setup": [
        "{a} moves slowly through the {place}, going about a familiar routine.",
        "{a} pauses for a moment {at}, lost in thought.",
        "{a} and {b} share a quiet moment {at}.",
    ],
    "discovery": [
        "{a} notices a {thing} half-hidden {at} and picks it up carefully.",
        "{a} turns the {thing} over in both hands as it begins to glow.",
        "{a} shows the {thing} to {b}, eyes wide with wonder.",
    ],
    "conflict": [
        "{b} steps forward and confronts {a} about the {thing}; they argue face to face.",
        "{a} pulls the {thing} away from {b}, and the argument grows heated.",
        "{a} struggles alone as the {thing} slips out of control.",
    ],
    "climax": [
        "{a} raises the {thing} high as light and wind sweep through the {place}.",
        "{a} and {b} brace together as the {thing} blazes brighter than ever.",
        "{a} makes a desperate leap to save the {thing}.",
    ],
    "resolution": [
        "{a} and {b} sit side by side, smiling as calm returns to the {place}.",
        "{a} places the {thing} gently where it belongs and exhales.",
        "{a} and {b} walk away together as the light softens.",
    ],
}
_LINES = {
    "en": {
        "setup": [
            [("a", "Another quiet day {at}.")],
            [("a", "Everything is just where I left it.")],
            [("b", "You're here already?"), ("a", "I couldn't stay away.")],
        ],
        "discovery": [
            [("a", "Wait... what is this {thing} doing here?")],
            [("a", "It's warm. It's almost alive.")],
            [("a", "Look what I found."), ("b", "I've never seen anything like it.")],
        ],
        "conflict": [
            [("b", "You shouldn't have touched the {thing}."), ("a", "I can't just leave it.")],
            [("b", "Give it to me, now."), ("a", "Not a chance.")],
            [("a", "Why won't you listen to me?")],
        ],
        "climax": [
            [("a", "Now or never. Hold on!")],
            [("b", "Together, then!"), ("a", "Together.")],
            [("a", "I won't let it fall!")],
        ],
        "resolution": [
            [("a", "We did it. The {place} is safe again.")],
            [("b", "I'll never forget this."), ("a", "Neither will I.")],
            [("a", "Home, at last.")],
        ],
    },
    "zh": {
        "setup": [
            [("a", "又是{place}里平静的一天。")],
            [("a", "一切都还在原来的地方。")],
            [("b", "你已经到了？"), ("a", "我忍不住就来了。")],
        ],
        "discovery": [
            [("a", "等等……这个{thing}怎么会在这里？")],
            [("a", "它是温热的，好像活着一样。")],
            [("a", "你看我找到了什么。"), ("b", "我从来没见过这样的东西。")],
        ],
        "conflict": [
            [("b", "你不该碰那个{thing}。"), ("a", "我不能丢下它不管。")],
            [("b", "马上把它给我。"), ("a", "绝对不行。")],
            [("a", "你为什么就是不听我说？")],
        ],
        "climax": [
            [("a", "现在不做就来不及了，抓紧！")],
            [("b", "那就一起！"), ("a", "一起。")],
            [("a", "我不会让它掉下去！")],
        ],
        "resolution": [
            [("a", "我们成功了，{place}又安全了。")],
            [("b", "我永远不会忘记今天。"), ("a", "我也是。")],
            [("a", "终于回家了。")],
        ],
    },
}


# Beats without the story object, for stories that never mention one.
_PLAIN_ACTIONS = {
    "discovery": ["{a} notices something strange {at} and stops to look closer.",
                  "{a} looks around {at}, sensing that something has changed.",
                  "{a} and {b} exchange a long look, both sensing that something has changed."],
    "conflict": ["{b} steps back from {a}; they argue face to face.",
                 "{a} and {b} argue, and neither will give in.",
                 "{a} struggles alone, unsure what to do next."],
    "climax": ["{a} makes a desperate dash across the {place}.",
               "{a} and {b} brace together as everything comes to a head.",
               "{a} takes a deep breath and faces the moment of truth."],
    "resolution": ["{a} and {b} sit side by side, smiling as calm returns to the {place}.",
                   "{a} exhales, smiling, as calm returns to the {place}.",
                   "{a} and {b} walk away together as the light softens."],
}  # fmt: skip
_PLAIN_LINES = {
    "en": {
        "discovery": [[("a", "Wait... something's different.")], [("a", "Did you hear that?")],
                      [("a", "Do you feel that?"), ("b", "I do.")]],
        "conflict": [[("b", "You don't understand."), ("a", "Then help me understand.")],
                     [("b", "This is a mistake."), ("a", "I have to try.")], [("a", "Why is this so hard?")]],
    },
    "zh": {
        "discovery": [[("a", "等等……好像有什么不一样了。")], [("a", "你听到了吗？")],
                      [("a", "你感觉到了吗？"), ("b", "感觉到了。")]],
        "conflict": [[("b", "你不明白。"), ("a", "那你就告诉我。")], [("b", "这是个错误。"), ("a", "我必须试试。")],
                     [("a", "为什么这么难？")]],
    },
}  # fmt: skip
# What the arc's own beats look like on screen; the other beats use the tables above.
_ARC_ACTIONS = {
    ("friendship", "discovery"): ["{a} comes face to face with {b} for the first time, startled, then curious.",
                                  "{a} senses something strange {at} and freezes."],
    ("friendship", "resolution"): ["{a} and {b} laugh together {at}, friends at last.",
                                   "{a} waves, smiling, thinking of a new friend."],
    ("love", "discovery"): ["{a} and {b} meet for the first time; neither can look away.",
                            "{a} catches sight of someone across the {place} and forgets everything else."],
    ("love", "resolution"): ["{a} and {b} hold hands as the light softens over the {place}.",
                             "{a} smiles, at peace, finally sure of the heart's answer."],
    ("pursuit", "discovery"): ["{a} spots {b} across the {place} and gives chase.",
                               "{a} finds fresh tracks {at} and starts running."],
    ("pursuit", "resolution"): ["{a} and {b} face each other, breathless, the chase over.",
                                "{a} catches their breath, the chase finally over."],
    ("rescue", "resolution"): ["{a} pulls {b} to safety as the danger passes.",
                               "{a} sinks down, exhausted and safe at last."],
    ("search", "resolution"): ["{a} and {b} are reunited {at}, hugging tight.",
                               "{a} holds what was lost and lets out a long breath."],
    ("learn", "resolution"): ["{b} tries it alone and succeeds while {a} watches, beaming with pride.",
                              "{a} tries it alone and succeeds, beaming with pride."],
    ("build", "resolution"): ["{a} and {b} step back to admire their finished work.",
                              "{a} steps back to admire the finished work."],
}  # fmt: skip
_ARC_LINES = {
    "en": {
        ("friendship", "discovery"): [[("a", "Who... who are you?"), ("b", "Please don't be afraid.")],
                                      [("a", "Hello? Is someone there?")]],
        ("friendship", "resolution"): [[("b", "So... friends?"), ("a", "Friends.")], [("a", "I'm glad we met.")]],
        ("love", "discovery"): [[("a", "Have we met before?"), ("b", "I don't think so.")], [("a", "Who is that?")]],
        ("love", "resolution"): [[("b", "Stay with me."), ("a", "Always.")], [("a", "It was always you.")]],
        ("pursuit", "discovery"): [[("a", "Stop! Come back here!")], [("a", "There you are. Not this time!")]],
        ("pursuit", "resolution"): [[("a", "Got you. Now tell me why you ran."), ("b", "You wouldn't believe me.")],
                                    [("a", "It's over. Finally.")]],
        ("rescue", "resolution"): [[("b", "You came back for me."), ("a", "Of course I did.")], [("a", "We're safe.")]],
        ("search", "resolution"): [[("a", "There you are! I found you."), ("b", "I knew you'd come.")],
                                   [("a", "Found it, at last.")]],
        ("learn", "resolution"): [[("b", "Look, I can do it!"), ("a", "I knew you could.")], [("a", "I did it!")]],
        ("build", "resolution"): [[("a", "It actually works!"), ("b", "We did it.")], [("a", "It works!")]],
    },
    "zh": {
        ("friendship", "discovery"): [[("a", "你……你是谁？"), ("b", "别害怕。")], [("a", "有人在吗？")]],
        ("friendship", "resolution"): [[("b", "那……我们是朋友了？"), ("a", "当然是朋友。")], [("a", "真高兴认识你。")]],
        ("love", "discovery"): [[("a", "我们见过吗？"), ("b", "应该没有吧。")], [("a", "那是谁？")]],
        ("love", "resolution"): [[("b", "留下来陪我。"), ("a", "永远。")], [("a", "原来一直是你。")]],
        ("pursuit", "discovery"): [[("a", "站住！别跑！")], [("a", "找到你了，这次别想跑！")]],
        ("pursuit", "resolution"): [[("a", "抓到你了。说吧，为什么要跑？"), ("b", "说了你也不信。")],
                                    [("a", "终于结束了。")]],
        ("rescue", "resolution"): [[("b", "你回来救我了。"), ("a", "当然。")], [("a", "我们安全了。")]],
        ("search", "resolution"): [[("a", "原来你在这里！"), ("b", "我就知道你会来。")], [("a", "终于找到了。")]],
        ("learn", "resolution"): [[("b", "看，我学会了！"), ("a", "我就知道你行。")], [("a", "我做到了！")]],
        ("build", "resolution"): [[("a", "真的成功了！"), ("b", "我们做到了。")], [("a", "成功了！")]],
    },
}  # fmt: skip


def _shot(concept: Concept, stage: str, index: int, scene: str, place: Place, previous: ShotSpec | None) -> ShotSpec:
    cast = concept.cast
    hero = cast[0].name
    partner = cast[1 + index % (len(cast) - 1)].name if len(cast) > 1 else ""
    solo = (stage in ("setup", "discovery") and index % 2 == 0) or not partner
    names = {"a": hero, "b": "" if solo else partner}
    variant = int(concept.seed, 16) + index
    plain = bool(concept.arc) and not concept.thing_stated
    actions = _ARC_ACTIONS.get((concept.arc, stage)) or (plain and _PLAIN_ACTIONS.get(stage)) or _ACTIONS[stage]
    action = _fill(_choose(actions, variant, solo), names, concept, place)
    said = (
        _ARC_LINES[concept.language].get((concept.arc, stage))
        or (plain and _PLAIN_LINES[concept.language].get(stage))
        or _LINES[concept.language][stage]
    )
    lines = [
        DialogueSpec(speaker=names[slot], text=_fill(text, names, concept, place, localise=True))
        for slot, text in _choose(said, variant, solo)
        if names[slot]
    ]
    camera = pick(CAMERAS, concept.seed, index)
    if previous is not None and camera == previous.camera:
        camera = CAMERAS[(CAMERAS.index(camera) + 1) % len(CAMERAS)]
    speech = sum(speech_seconds(line.text) for line in lines)
    music = concept.tone.music[{"setup": 0, "discovery": 0, "conflict": 1, "climax": 1, "resolution": 2}[stage]]
    weather = WEATHER.get(concept.weather)
    sound = f"{weather[1]}, {place.sound}" if weather else place.sound
    return ShotSpec(
        scene=scene,
        characters=[hero] if solo else [hero, partner],
        action=action,
        dialogue=lines,
        camera=camera,
        duration_s=shot_seconds(speech, minimum_s=4.0),
        sound_effects=upper_first(sound) + ".",
        music=upper_first(music) + ".",
    )


def _choose(options: list[Option], variant: int, solo: bool) -> Option:
    """One of the options, preferring those that use the partner exactly when the partner is in the shot."""
    fitting = [option for option in options if _needs_partner(option) != solo] or options
    return fitting[variant % len(fitting)]


def _needs_partner(option: str | list[tuple[str, str]]) -> bool:
    return "{b}" in option if isinstance(option, str) else any(slot == "b" for slot, _ in option)


def _fill(text: str, names: dict[str, str], concept: Concept, place: Place, localise: bool = False) -> str:
    zh = localise and concept.language == "zh"
    return text.format(
        a=names["a"],
        b=names["b"],
        thing=_zh(concept.thing) if zh else concept.thing,
        place=_zh(place.noun) if zh else place.noun,
        at=f"{'on' if place.noun in _ON_PLACES else 'in'} the {place.noun}",
    )


def _at(site: Site) -> str:
    if site.label and site.place.noun in ("city", "land"):
        return f"{'on' if site.place.noun == 'land' else 'in'} {site.label}"
    return f"{'on' if site.place.noun in _ON_PLACES else 'in'} the {site.phrase}"
