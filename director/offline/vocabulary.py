"""Word lists of the offline planner and the deterministic picker that chooses from them.

Choices are seeded by a hash of the idea (never Python's salted `hash`), so the same idea always gives the same
characters, places and shots.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from generator.text import has_cjk

Item = TypeVar("Item")


def pick(options: Sequence[Item], *seed_parts: object) -> Item:
    """A stable choice from `options` for the given seed parts."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in seed_parts).encode("utf-8")).digest()
    return options[int.from_bytes(digest[:8], "big") % len(options)]


def find_words(text: str, vocabulary: Iterable[tuple[str, Item]], plural: bool = True) -> list[tuple[int, str, Item]]:
    """(position, word, value) for every vocabulary word in the text, in order of appearance: whole words (with an
    optional plural ending) for alphabetic words, anywhere for CJK words."""
    lowered = text.lower()
    found: list[tuple[int, str, Item]] = []
    for word, value in vocabulary:
        ending = r"(?:e?s)?" if plural else ""
        pattern = re.escape(word) if has_cjk(word) else rf"(?<!\w){re.escape(word)}{ending}(?!\w)"
        found.extend((match.start(), word, value) for match in re.finditer(pattern, lowered))
    return sorted(found, key=lambda hit: (hit[0], -len(hit[1])))


@dataclass(frozen=True)
class Role:
    noun: str  # English noun used in prompts
    gender: str  # "female", "male" or "neutral": the default when the text says nothing else
    age: str  # "child", "teen", "young", "adult", "old"
    human: bool = True
    clothing: str = ""
    gendered: bool = False  # the noun itself fixes the gender (girl, king), so pronouns cannot change it
    kin: bool = False  # a relation (granddaughter, rival): introduced as someone's, e.g. "Tomas's granddaughter"


ROLES: dict[str, Role] = {
    role.noun: role
    for role in [
        Role("wizard", "male", "old", clothing="a long midnight-blue robe embroidered with silver stars"),
        Role("witch", "female", "adult", clothing="a patched black cloak over a moss-green dress", gendered=True),
        Role("girl", "female", "child", gendered=True),
        Role("boy", "male", "child", gendered=True),
        Role("woman", "female", "adult", gendered=True),
        Role("man", "male", "adult", gendered=True),
        Role("knight", "male", "adult", clothing="dented steel armour over a faded red tabard"),
        Role(
            "princess", "female", "young", clothing="a simple silver circlet and a travel-worn blue gown", gendered=True
        ),
        Role("prince", "male", "young", clothing="a dark green doublet with gold buttons", gendered=True),
        Role("king", "male", "old", clothing="a heavy crimson mantle trimmed with white fur", gendered=True),
        Role("queen", "female", "adult", clothing="a deep violet gown and a thin gold crown", gendered=True),
        Role("detective", "neutral", "adult", clothing="a rumpled grey trench coat and a loose dark tie"),
        Role("keeper", "female", "young", clothing="a weathered navy peacoat over a cream knit sweater"),
        Role("fisherman", "male", "old", clothing="a yellow oilskin jacket and rubber boots", gendered=True),
        Role("sailor", "male", "young", clothing="a striped shirt under a short navy jacket"),
        Role("astronaut", "female", "adult", clothing="a white pressurised suit with orange mission patches"),
        Role("scientist", "female", "adult", clothing="a white lab coat over a turtleneck, safety goggles on her head"),
        Role("inventor", "male", "adult", clothing="oil-stained overalls with a belt of small tools"),
        Role("student", "neutral", "young", clothing="a hooded sweatshirt and a worn canvas backpack"),
        Role("teacher", "female", "adult", clothing="a cardigan with chalk dust on the sleeves"),
        Role("doctor", "male", "adult", clothing="pale blue scrubs and a stethoscope"),
        Role("librarian", "female", "old", clothing="a long wool skirt, a shawl and reading glasses on a chain"),
        Role("explorer", "male", "adult", clothing="a khaki field jacket with many pockets and a wide-brimmed hat"),
        Role("thief", "neutral", "young", clothing="a close-fitting black jacket and soft-soled boots"),
        Role("pirate", "male", "adult", clothing="a battered tricorn hat and a long red coat"),
        Role("chef", "male", "adult", clothing="a white double-breasted jacket and a checked apron"),
        Role("musician", "female", "young", clothing="a denim jacket covered in patches"),
        Role("painter", "neutral", "adult", clothing="a paint-spattered linen smock"),
        Role("farmer", "male", "old", clothing="faded dungarees and a straw hat"),
        Role("soldier", "male", "young", clothing="a dusty olive uniform"),
        Role("grandmother", "female", "old", clothing="a hand-knitted cardigan and a floral headscarf", gendered=True),
        Role("grandfather", "male", "old", clothing="a tweed jacket and a flat cap", gendered=True),
        Role("mother", "female", "adult", gendered=True),
        Role("father", "male", "adult", gendered=True),
        Role("child", "neutral", "child"),
        Role("officer", "female", "adult", clothing="a dark blue police uniform with a peaked cap"),
        Role("baker", "male", "adult", clothing="a flour-dusted white apron over rolled shirtsleeves"),
        Role("nurse", "female", "adult", clothing="light green scrubs and a watch pinned to the chest"),
        Role("monk", "male", "old", clothing="a simple saffron robe and straw sandals", gendered=True),
        Role("samurai", "male", "adult", clothing="dark lacquered armour over an indigo kimono"),
        Role("cowboy", "male", "adult", clothing="a dusty leather vest, a bandana and a wide hat", gendered=True),
        Role("mermaid", "female", "young", gendered=True),
        Role("fairy", "female", "young", clothing="a dress stitched from petals"),
        Role("vampire", "male", "old", clothing="a high-collared black cape over a velvet waistcoat"),
        Role("brother", "male", "young", gendered=True, kin=True),
        Role("sister", "female", "young", gendered=True, kin=True),
        Role("son", "male", "child", gendered=True, kin=True),
        Role("daughter", "female", "child", gendered=True, kin=True),
        Role("granddaughter", "female", "child", gendered=True, kin=True),
        Role("grandson", "male", "child", gendered=True, kin=True),
        Role("wife", "female", "adult", gendered=True, kin=True),
        Role("husband", "male", "adult", gendered=True, kin=True),
        Role("friend", "neutral", "young", kin=True),
        Role("partner", "neutral", "adult", kin=True),
        Role("rival", "neutral", "adult", kin=True),
        Role("neighbour", "neutral", "old", kin=True),
        Role("robot", "neutral", "adult", human=False),
        Role("dragon", "neutral", "old", human=False),
        Role("cat", "neutral", "young", human=False),
        Role("dog", "neutral", "young", human=False),
        Role("fox", "neutral", "young", human=False),
        Role("owl", "neutral", "old", human=False),
        Role("ghost", "neutral", "old", human=False),
        Role("alien", "neutral", "adult", human=False),
        Role("unicorn", "neutral", "young", human=False),
        Role("bear", "neutral", "adult", human=False),
        Role("rabbit", "neutral", "young", human=False),
        Role("mouse", "neutral", "young", human=False),
        Role("horse", "neutral", "adult", human=False),
        Role("wolf", "neutral", "adult", human=False),
        Role("penguin", "neutral", "young", human=False),
        Role("monster", "neutral", "adult", human=False),
    ]
}
ROLE_SYNONYMS = {
    "lighthouse keeper": "keeper",
    "police officer": "officer",
    "policeman": "officer",
    "policewoman": "officer",
    "cop": "officer",
    "grandchild": "grandson",
    "spirit": "ghost",
    "phantom": "ghost",
    "android": "robot",
    "puppy": "dog",
    "kitten": "cat",
    "bunny": "rabbit",
    "granny": "grandmother",
    "neighbor": "neighbour",
    "teenager": "student",
    "孙女": "granddaughter",
    "孙子": "grandson",
    "女儿": "daughter",
    "儿子": "son",
    "哥哥": "brother",
    "弟弟": "brother",
    "姐姐": "sister",
    "妹妹": "sister",
    "朋友": "friend",
    "警察": "officer",
    "面包师": "baker",
    "护士": "nurse",
    "和尚": "monk",
    "美人鱼": "mermaid",
    "仙女": "fairy",
    "吸血鬼": "vampire",
    "鬼魂": "ghost",
    "幽灵": "ghost",
    "外星人": "alien",
    "独角兽": "unicorn",
    "熊": "bear",
    "兔子": "rabbit",
    "老鼠": "mouse",
    "马": "horse",
    "狼": "wolf",
    "企鹅": "penguin",
    "怪兽": "monster",
    "kid": "child",
    "lady": "woman",
    "guy": "man",
    "sorcerer": "wizard",
    "mage": "wizard",
    "grandma": "grandmother",
    "grandpa": "grandfather",
    "mom": "mother",
    "dad": "father",
    "巫师": "wizard",
    "魔法师": "wizard",
    "女巫": "witch",
    "女孩": "girl",
    "小女孩": "girl",
    "男孩": "boy",
    "女人": "woman",
    "女子": "woman",
    "男人": "man",
    "骑士": "knight",
    "公主": "princess",
    "王子": "prince",
    "国王": "king",
    "女王": "queen",
    "侦探": "detective",
    "守塔人": "keeper",
    "渔夫": "fisherman",
    "水手": "sailor",
    "宇航员": "astronaut",
    "科学家": "scientist",
    "发明家": "inventor",
    "学生": "student",
    "老师": "teacher",
    "医生": "doctor",
    "图书管理员": "librarian",
    "探险家": "explorer",
    "小偷": "thief",
    "海盗": "pirate",
    "厨师": "chef",
    "音乐家": "musician",
    "画家": "painter",
    "农夫": "farmer",
    "士兵": "soldier",
    "奶奶": "grandmother",
    "爷爷": "grandfather",
    "妈妈": "mother",
    "爸爸": "father",
    "孩子": "child",
    "机器人": "robot",
    "龙": "dragon",
    "猫": "cat",
    "狗": "dog",
    "狐狸": "fox",
    "猫头鹰": "owl",
    "鬼": "ghost",
}
ROLE_WORDS = [
    *((noun, role) for noun, role in ROLES.items()),
    *((word, ROLES[noun]) for word, noun in ROLE_SYNONYMS.items()),
]


@dataclass(frozen=True)
class Place:
    noun: str
    interior: bool
    description: str
    sound: str


PLACES: dict[str, Place] = {
    place.noun: place
    for place in [
        Place(
            "library",
            True,
            "tall oak shelves crammed with old books, dust drifting in lamplight",
            "pages turning, a clock ticking, the creak of old floorboards",
        ),
        Place(
            "castle",
            True,
            "a vast stone hall with banners, torches and a high vaulted ceiling",
            "torches crackling, distant footsteps echoing on stone",
        ),
        Place(
            "forest",
            False,
            "ancient trees with mossy trunks and shafts of light through the canopy",
            "birdsong, leaves rustling, a twig snapping",
        ),
        Place(
            "lighthouse",
            True,
            "a narrow spiral staircase winding up to a great glass lamp",
            "wind whistling through the tower, waves breaking below",
        ),
        Place("beach", False, "a wide grey shore with driftwood and foaming waves", "waves rolling in, gulls crying"),
        Place("city", False, "a crowded street of neon signs and wet asphalt", "traffic hum, distant sirens, chatter"),
        Place(
            "village",
            False,
            "a cluster of crooked houses around a small square with a well",
            "a dog barking, a cart rattling over cobbles",
        ),
        Place(
            "spaceship",
            True,
            "a cramped cockpit of blinking consoles and curved metal walls",
            "the hum of engines, soft computer beeps",
        ),
        Place("desert", False, "endless orange dunes under a white-hot sky", "dry wind hissing over sand"),
        Place("mountain", False, "a rocky ridge above a sea of clouds", "howling wind, loose stones skittering"),
        Place(
            "kitchen",
            True,
            "a warm cluttered kitchen with copper pots and a steaming stove",
            "a kettle whistling, a knife on a chopping board",
        ),
        Place(
            "school",
            True,
            "a sunlit classroom with rows of wooden desks and a chalkboard",
            "chalk squeaking, chairs scraping",
        ),
        Place(
            "market",
            False,
            "a bustling market of colourful stalls and hanging lanterns",
            "vendors calling, coins clinking",
        ),
        Place(
            "harbour",
            False,
            "a small harbour of bobbing boats and stacked lobster pots",
            "rigging clinking, water lapping against the pier",
        ),
        Place("cave", True, "a dripping cave lit by glowing crystals", "water dripping, a low echoing rumble"),
        Place("garden", False, "an overgrown garden with roses climbing a stone wall", "bees buzzing, a fountain"),
        Place(
            "cafe",
            True,
            "a small cafe with fogged windows and mismatched chairs",
            "an espresso machine hissing, cups clinking",
        ),
        Place(
            "laboratory",
            True,
            "a cluttered laboratory of glowing screens and bubbling glassware",
            "machines humming, glass clinking",
        ),
        Place(
            "temple",
            True,
            "a quiet temple hall of red pillars and drifting incense",
            "a distant bell, incense crackling",
        ),
        Place("river", False, "a slow river winding between reeds and willows", "water flowing, frogs croaking"),
        Place("island", False, "a small green island ringed by turquoise water", "surf, wind in palm leaves"),
        Place(
            "palace",
            True,
            "a golden throne room with mirrored walls and chandeliers",
            "footsteps on marble, a murmuring court",
        ),
        Place("tower", True, "a round tower room with a single arched window", "wind moaning, a shutter banging"),
        Place("train", True, "a swaying train carriage with worn velvet seats", "wheels clattering on rails"),
        Place("street", False, "a narrow street of shuttered shops under flickering lamps", "footsteps, a far-off car"),
        Place("office", True, "an open-plan office of glowing monitors at night", "keyboards clicking, a printer"),
        Place("museum", True, "a hushed museum gallery of glass cases and marble statues", "echoing footsteps"),
        Place("park", False, "a city park with a pond, benches and old chestnut trees", "children playing, ducks"),
        Place(
            "bakery",
            True,
            "a tiny bakery with flour-dusted counters and loaves cooling on racks",
            "an oven door creaking, a bell over the door",
        ),
        Place("house", True, "a lived-in house with creaking stairs and a crackling hearth", "a clock ticking, a fire"),
        Place("farm", False, "a farmyard of red barns, fences and open fields", "hens clucking, a tractor far off"),
        Place("ship", False, "the wooden deck of a sailing ship under creaking masts", "sails snapping, waves lapping"),
        Place("hospital", True, "a quiet hospital corridor under pale fluorescent light", "monitors beeping softly"),
        Place("land", False, "an open landscape under a wide sky", "wind, distant ambience"),
        Place("rooftop", False, "a flat rooftop among chimneys and water tanks", "wind gusting, city noise below"),
    ]
}
PLACE_SYNONYMS = {
    "woods": "forest",
    "shore": "beach",
    "sea": "beach",
    "ocean": "beach",
    "town": "village",
    "spacecraft": "spaceship",
    "spaceships": "spaceship",
    "boat": "ship",
    "sailboat": "ship",
    "home": "house",
    "attic": "house",
    "cottage": "house",
    "barn": "farm",
    "roof": "rooftop",
    "面包店": "bakery",
    "房子": "house",
    "农场": "farm",
    "船": "ship",
    "医院": "hospital",
    "屋顶": "rooftop",
    "space station": "spaceship",
    "lab": "laboratory",
    "classroom": "school",
    "port": "harbour",
    "harbor": "harbour",
    "coffee shop": "cafe",
    "station": "train",
    "图书馆": "library",
    "城堡": "castle",
    "森林": "forest",
    "树林": "forest",
    "灯塔": "lighthouse",
    "海边": "beach",
    "海滩": "beach",
    "城市": "city",
    "村庄": "village",
    "村子": "village",
    "飞船": "spaceship",
    "沙漠": "desert",
    "山": "mountain",
    "厨房": "kitchen",
    "学校": "school",
    "教室": "school",
    "市场": "market",
    "港口": "harbour",
    "山洞": "cave",
    "花园": "garden",
    "咖啡馆": "cafe",
    "实验室": "laboratory",
    "寺庙": "temple",
    "河": "river",
    "岛": "island",
    "宫殿": "palace",
    "塔": "tower",
    "火车": "train",
    "街": "street",
    "办公室": "office",
    "博物馆": "museum",
    "公园": "park",
}
PLACE_WORDS = [*((noun, noun) for noun in PLACES), *PLACE_SYNONYMS.items()]  # (word in text, place noun)
OBJECTS = {
    "spellbook": "spellbook",
    "book": "book",
    "map": "map",
    "key": "key",
    "letter": "letter",
    "egg": "egg",
    "sword": "sword",
    "crown": "crown",
    "ring": "ring",
    "lamp": "lamp",
    "lantern": "lantern",
    "compass": "compass",
    "photograph": "photograph",
    "photo": "photograph",
    "diary": "diary",
    "violin": "violin",
    "seed": "seed",
    "treasure": "treasure",
    "box": "box",
    "mirror": "mirror",
    "clock": "clock",
    "necklace": "necklace",
    "bottle": "message in a bottle",
    "message": "message",
    "signal": "signal",
    "star": "fallen star",
    "kite": "kite",
    "raft": "raft",
    "风筝": "kite",
    "魔法书": "spellbook",
    "书": "book",
    "地图": "map",
    "钥匙": "key",
    "信": "letter",
    "蛋": "egg",
    "剑": "sword",
    "王冠": "crown",
    "戒指": "ring",
    "灯": "lamp",
    "指南针": "compass",
    "照片": "photograph",
    "日记": "diary",
    "小提琴": "violin",
    "种子": "seed",
    "宝藏": "treasure",
    "盒子": "box",
    "镜子": "mirror",
    "钟": "clock",
    "项链": "necklace",
    "瓶": "message in a bottle",
    "信号": "signal",
    "星星": "fallen star",
}
FALLBACK_OBJECTS = ["key", "map", "letter", "box", "compass", "seed"]
FALLBACK_PLACES = ["village", "forest", "city", "harbour", "library", "garden"]
ACTIVITY_PLACES = [  # where an activity the idea names happens, when it names no place
    ("sail", "harbour"), ("sailing", "harbour"), ("fishing", "harbour"), ("swim", "beach"), ("swimming", "beach"),
    ("surf", "beach"), ("surfing", "beach"), ("ski", "mountain"), ("skiing", "mountain"), ("climb", "mountain"),
    ("bake", "kitchen"), ("baking", "kitchen"), ("cook", "kitchen"), ("cooking", "kitchen"), ("放风筝", "park"),
    ("游泳", "beach"), ("钓鱼", "harbour"), ("滑雪", "mountain"), ("做饭", "kitchen"),
]  # fmt: skip

NAMES = {
    ("en", "female"): ["Mira", "Lena", "Ada", "Iris", "Nora", "Elena", "Maya", "June"],
    ("en", "male"): ["Tomas", "Elias", "Felix", "Owen", "Aldric", "Jonah", "Marcus", "Theo"],
    ("en", "neutral"): ["Robin", "Sky", "Quinn", "Ash", "Sage", "Rowan"],
    ("zh", "female"): ["林雪", "苏晴", "陈悦", "周宁"],
    ("zh", "male"): ["王磊", "李远", "张哲", "赵明"],
    ("zh", "neutral"): ["小安", "阿乐", "小舟"],
}
GIVEN_NAMES = {  # common names the creator may use, so "Vera" and "Jack" get the right voice without a pronoun
    "female": frozenset(
        [
            "Alice", "Amelia", "Anna", "Ava", "Bella", "Chloe", "Clara", "Daisy", "Eleanor", "Ella", "Emily", "Emma",
            "Eva", "Grace", "Hannah", "Isabel", "Jane", "Julia", "Kate", "Laura", "Lily", "Lucy", "Luna", "Maria",
            "Mary", "Mia", "Nina", "Olivia", "Rosa", "Rose", "Ruby", "Sara", "Sarah", "Sofia", "Sophie", "Vera", "Zoe",
            "Zara", "Lia", "Kira", "Mei", "Yuki", "Hana", "Aiko", "Anya", "Leila", "Fatima", "Priya", "Amara",
        ]
    ),
    "male": frozenset(
        [
            "Adam", "Alex", "Ben", "Charlie", "Daniel", "David", "Ethan", "Finn", "George", "Harry", "Henry", "Jack",
            "Jacob", "James", "Jake", "Kai", "Leo", "Liam", "Lucas", "Luke", "Max", "Noah", "Oliver", "Oscar", "Paul",
            "Peter", "Sam", "Simon", "Thomas", "Tom", "Victor", "Will", "William", "Hugo", "Ivan", "Omar", "Ravi",
            "Kenji", "Hiro", "Arthur", "Merlin", "Zed", "Nemo",
        ]
    ),
}  # fmt: skip
NON_HUMAN_NAMES = {
    "en": ["Pip", "Bolt", "Ember", "Whisker", "Nimbus", "Cog"],
    "zh": ["豆豆", "团子", "小火", "阿福", "糯米", "小白"],
}

AGES = {  # words chosen when the text gives no age
    "child": ["ten-year-old", "eight-year-old", "small twelve-year-old"],
    "teen": ["teenage", "sixteen-year-old", "fifteen-year-old"],
    "young": ["young", "twenty-something", "youthful"],
    "adult": ["middle-aged", "thirty-something", "forty-year-old"],
    "old": ["elderly", "white-haired old", "weathered seventy-year-old"],
}
AGE_WORDS = {  # words in the text that fix an age group; "young" means a child for girl/boy/child roles
    "young": "young", "younger": "young", "youthful": "young", "twenty-something": "young", "teenage": "teen",
    "teenaged": "teen", "teen": "teen", "adolescent": "teen", "little": "child", "baby": "child", "toddler": "child",
    "child": "child", "kid": "child", "boy": "child", "girl": "child", "middle-aged": "adult", "grown-up": "adult",
    "adult": "adult",
    "thirty-something": "adult", "old": "old", "elderly": "old", "aged": "old", "ancient": "old", "retired": "old",
    "grey-haired": "old", "white-haired": "old", "年轻": "young", "少年": "teen", "少女": "teen", "中年": "adult",
    "年迈": "old", "老": "old", "小": "child",
}  # fmt: skip
GENDER_WORDS = {
    "female": "female", "woman": "female", "girl": "female", "lady": "female", "女": "female",
    "male": "male", "man": "male", "boy": "male", "guy": "male", "男": "male",
}  # fmt: skip
COLOURS = (
    "red", "blue", "green", "yellow", "black", "white", "grey", "gray", "silver", "golden", "gold", "brown", "orange",
    "purple", "pink", "violet", "crimson", "scarlet", "ginger", "tabby", "emerald", "copper", "navy", "teal",
)  # fmt: skip
ZH_MODIFIERS = {  # Chinese words before a role noun, in English
    "年轻": "young", "年迈": "elderly", "老": "old", "少年": "teenage", "少女": "teenage", "中年": "middle-aged",
    "小": "little", "女": "female", "男": "male", "会说话的": "talking", "会飞的": "flying", "受伤的": "injured",
    "孤独的": "lonely", "害羞的": "shy", "可爱的": "cute", "勇敢的": "brave", "善良的": "kind", "调皮的": "mischievous",
    "黑": "black", "白": "white", "红": "red", "蓝": "blue", "金": "golden", "灰": "grey", "橘": "ginger",
    "机械": "mechanical",
}  # fmt: skip
GARMENTS = (
    "raincoat", "coat", "jacket", "dress", "gown", "scarf", "hat", "cap", "cloak", "robe", "robes", "hoodie", "sweater",
    "jumper", "shirt", "t-shirt", "suit", "uniform", "armour", "armor", "boots", "shoes", "apron", "overalls", "kimono",
    "qipao", "cape", "glasses", "spectacles", "helmet", "vest", "waistcoat", "skirt", "trousers", "jeans", "tunic",
    "mask", "tie", "gloves", "sneakers", "pyjamas", "pajamas", "cardigan", "poncho", "veil",
)  # fmt: skip
TIME_WORDS = [
    ("before sunrise", "just before dawn"), ("before dawn", "just before dawn"), ("golden hour", "golden hour"),
    ("early morning", "early morning"), ("late at night", "late night"), ("midnight", "midnight"), ("dawn", "dawn"),
    ("daybreak", "dawn"), ("sunrise", "sunrise"), ("morning", "morning"), ("noon", "midday"), ("midday", "midday"),
    ("afternoon", "afternoon"), ("sunset", "sunset"), ("dusk", "dusk"), ("twilight", "twilight"),
    ("evening", "evening"), ("nighttime", "night"), ("tonight", "night"), ("night", "night"),
    ("黎明", "dawn"), ("清晨", "early morning"), ("早上", "morning"), ("上午", "morning"), ("中午", "midday"),
    ("下午", "afternoon"), ("黄昏", "dusk"), ("傍晚", "evening"), ("日落", "sunset"), ("日出", "sunrise"),
    ("午夜", "midnight"), ("深夜", "late night"), ("晚上", "night"), ("夜", "night"),
]  # fmt: skip
TIME_PHRASES = {  # how a place entry says its time ("harbour, at dawn"); any other time takes "at"
    "just before dawn": "just before dawn", "late night": "late at night", "early morning": "in the early morning",
    "morning": "in the morning", "afternoon": "in the afternoon", "evening": "in the evening",
}  # fmt: skip
WEATHER_WORDS = [
    ("rainy", "rain"), ("raining", "rain"), ("rain", "rain"), ("snowy", "snow"), ("snowing", "snow"),
    ("snow", "snow"), ("stormy", "storm"), ("storm", "storm"), ("foggy", "fog"), ("fog", "fog"), ("misty", "fog"),
    ("暴风雨", "storm"), ("雨", "rain"), ("雪", "snow"), ("雾", "fog"),
]  # fmt: skip
WEATHER = {  # how each weather looks in a scene description and sounds in the shot
    "rain": ("steady rain falling", "rain pattering"),
    "snow": ("snow falling softly", "the muffled hush of falling snow"),
    "storm": ("a storm raging, lightning in the clouds", "thunder rumbling, rain lashing"),
    "fog": ("thick fog drifting", "a muffled, dripping stillness"),
}
ZH_CITIES = {
    "上海": "Shanghai", "北京": "Beijing", "香港": "Hong Kong", "东京": "Tokyo", "巴黎": "Paris", "伦敦": "London",
    "纽约": "New York", "广州": "Guangzhou", "深圳": "Shenzhen", "成都": "Chengdu", "重庆": "Chongqing",
    "西安": "Xi'an", "杭州": "Hangzhou", "南京": "Nanjing", "台北": "Taipei",
}  # fmt: skip
BUILDS = ["slender", "tall and wiry", "short and sturdy", "broad-shouldered", "small and quick", "lanky"]
FACES = [
    "a freckled oval face",
    "a sharp angular face",
    "a round, kind face",
    "high cheekbones and a narrow chin",
    "a weathered, lined face",
    "a soft heart-shaped face",
]
HAIR = {
    "female": [
        "long auburn hair tied back",
        "a black bob",
        "curly chestnut hair",
        "silver hair in a loose bun",
        "short copper hair",
        "long dark braids",
    ],
    "male": [
        "short cropped black hair",
        "a shaggy brown mop",
        "grey hair and a neat beard",
        "a shaved head and stubble",
        "wavy blond hair",
        "a long white beard",
    ],
    "neutral": ["short ash-blond hair", "messy dark curls", "a tidy undercut", "shoulder-length brown hair"],
    "old": ["thin silver hair", "a long white beard", "grey hair and a neat beard", "white hair in a loose bun"],
}
EYES = ["green", "brown", "grey", "hazel", "dark brown", "blue"]
FEATURES = [
    "a small scar on the chin",
    "a quick crooked smile",
    "thick expressive eyebrows",
    "ink-stained fingers",
    "a habit of squinting when thinking",
    "a silver ring on one hand",
]
CLOTHES = [
    "a weathered navy peacoat over a cream knit sweater",
    "a mustard-yellow raincoat and dark jeans",
    "a moss-green hooded cloak over a linen tunic",
    "a faded red jacket with rolled sleeves",
    "a grey wool coat and a long striped scarf",
    "a white shirt under a brown leather waistcoat",
]
VOICES = {
    ("female", "child"): "a bright, quick girl's voice",
    ("male", "teen"): "a light, slightly breaking teenage boy's voice",
    ("female", "teen"): "a quick, bright teenage girl's voice",
    ("neutral", "teen"): "a light, eager teenage voice",
    ("male", "child"): "a high, eager boy's voice",
    ("neutral", "child"): "a light, curious child's voice",
    ("female", "young"): "a clear, lively young woman's voice",
    ("male", "young"): "a warm, light young man's voice",
    ("neutral", "young"): "a soft, even young voice",
    ("female", "adult"): "a calm, low woman's voice",
    ("male", "adult"): "a steady baritone man's voice",
    ("neutral", "adult"): "a measured, husky voice",
    ("female", "old"): "a gentle, slightly cracked elderly woman's voice",
    ("male", "old"): "a deep, gravelly old man's voice",
    ("neutral", "old"): "a slow, rasping old voice",
}


@dataclass(frozen=True)
class Creature:
    colour: str  # the default colour, replaced by a colour the text gives
    body: str  # what it looks like; "{colour}" marks where the colour goes; no age words
    features: str  # the appearance sentence (no human eyes for a one-eyed robot)
    voice: str


CREATURES = {
    "robot": Creature("copper", "a small round machine with a dented {colour} shell and one glowing blue eye",
                      "Thin jointed arms and a faint whirr when it moves", "a chirpy synthetic voice"),
    "dragon": Creature("emerald", "{colour} scales from snout to tail and folded leathery wings",
                       "Amber eyes, small curled horns and a plume of smoke at each breath", "a rumbling, smoky voice"),
    "cat": Creature("ginger", "scruffy {colour} fur, one torn ear and a long twitching tail",
                    "Bright round eyes and twitching whiskers", "a purring, sly voice"),
    "dog": Creature("black-and-white", "a shaggy {colour} coat, floppy ears and a wagging tail",
                    "Dark eager eyes and a wet nose", "an eager, husky voice"),
    "fox": Creature("red", "sleek {colour} fur and a white-tipped bushy tail",
                    "Narrow amber eyes and tall pointed ears", "a quick, sly voice"),
    "owl": Creature("grey", "soft {colour} barred feathers and tufted ears",
                    "Huge round golden eyes", "a soft, hooting voice"),
    "ghost": Creature("pale",
                      "a {colour}, translucent figure in an old-fashioned nightgown, drifting just above the floor",
                      "Hollow, softly glowing eyes and a faint silvery shimmer around the edges",
                      "a faint, echoing voice"),
    "alien": Creature("green", "smooth {colour} skin, a large head and long thin fingers",
                      "Huge dark almond-shaped eyes", "a soft, warbling voice"),
    "unicorn": Creature("white", "a shimmering {colour} coat, a flowing mane and a spiralled pearly horn",
                        "Gentle dark eyes", "a soft, musical voice"),
    "bear": Creature("brown", "a shaggy {colour} coat and big heavy paws",
                     "Small dark eyes and a round furry muzzle", "a deep, rumbling voice"),
    "rabbit": Creature("grey", "soft {colour} fur, long ears and a cotton tail",
                       "Dark glossy eyes and a twitching nose", "a quick, breathy voice"),
    "mouse": Creature("brown", "tiny, with {colour} fur, round ears and a long thin tail",
                      "Beady black eyes and fine whiskers", "a tiny, squeaky voice"),
    "horse": Creature("chestnut", "a glossy {colour} coat and a long flowing mane",
                      "Large dark eyes and a white blaze on the nose", "a low, snorting voice"),
    "wolf": Creature("grey", "a lean body, long legs and a thick {colour} ruff of fur",
                     "Pale yellow eyes", "a low, growling voice"),
    "penguin": Creature("black-and-white", "a small round {colour} body waddling on orange feet",
                        "Bright beady eyes and a short orange beak", "a chattering, squawky voice"),
    "monster": Creature("purple", "a huge furry {colour} body and stubby horns",
                        "Big mismatched eyes and a gap-toothed grin", "a booming, gravelly voice"),
}  # fmt: skip

CAMERAS = [
    "slow push-in from a wide shot",
    "static wide establishing shot",
    "handheld medium shot following the action",
    "close-up with shallow depth of field",
    "over-the-shoulder shot",
    "slow pan from left to right",
    "low-angle tracking shot",
    "high-angle wide shot",
    "dolly out revealing the surroundings",
    "static medium two-shot",
]


@dataclass(frozen=True)
class Tone:
    name: str
    keywords: tuple[str, ...]
    style: str
    mood: str
    music: tuple[str, str, str]  # calm, tense, resolved


# fmt: off
TONES: dict[str, Tone] = {
    tone.name: tone
    for tone in [
        Tone(
            "warm",
            ("warm", "gentle", "cozy", "cosy", "happy", "happier", "lighter", "brighter", "hopeful", "heartwarming",
             "whimsical", "温暖", "温馨"),
            "Warm painterly cinematic look, soft golden light, gentle pastel colours, 35 mm lens.",
            "warm and hopeful",
            ("soft piano motif", "pulsing strings", "warm swelling orchestra"),
        ),
        Tone(
            "dark",
            ("dark", "darker", "grim", "bleak", "gothic", "noir", "sad", "sadder", "mysterious", "mystery", "tense",
             "thriller",
             "melancholy", "黑暗", "悲伤", "悬疑"),
            "Dark moody cinematic look, low-key lighting, deep shadows, desaturated cold palette, 35 mm lens.",
            "dark and foreboding",
            ("low cello drone", "ominous pulsing percussion", "mournful solo violin"),
        ),
        Tone(
            "scary",
            ("scary", "scarier", "horror", "creepy", "spooky", "haunted", "eerie", "恐怖", "吓人", "闹鬼"),
            "Horror film look, harsh flickering light, heavy fog, sickly green shadows, wide-angle lens.",
            "eerie and frightening",
            ("thin dissonant strings", "sudden stabbing brass", "a fading music box"),
        ),
        Tone(
            "funny",
            ("funny", "funnier", "comedy", "comic", "silly", "playful", "搞笑", "幽默"),
            "Bright comedic look, saturated colours, even high-key lighting, snappy framing.",
            "playful and funny",
            ("bouncy pizzicato strings", "frantic comic brass", "jaunty whistled tune"),
        ),
        Tone(
            "epic",
            ("epic", "heroic", "grand", "adventure", "史诗", "冒险"),
            "Epic cinematic look, sweeping vistas, golden-hour light, anamorphic lens flares.",
            "grand and adventurous",
            ("distant horn call", "driving war drums", "triumphant full orchestra"),
        ),
        Tone(
            "romantic",
            ("romantic", "romance", "love", "浪漫", "爱情"),
            "Romantic soft-focus look, candlelit warm tones, gentle lens bloom.",
            "tender and romantic",
            ("soft acoustic guitar", "yearning strings", "tender piano and strings"),
        ),
    ]
}
# fmt: on
DEFAULT_TONE = "warm"
