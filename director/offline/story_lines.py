"""The offline story's word tables: the arcs it recognises, and the sentences and lines of dialogue its stories and
shots are written from (English and Chinese). Pure data.
"""

from __future__ import annotations

import re

ON_PLACES = frozenset(["mountain", "beach", "river", "island", "ship", "rooftop", "street", "train", "farm"])
TIMES = ["early morning", "late afternoon", "dusk", "night", "a grey morning", "golden hour"]
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
ZH_ENDINGS = {
    "friendship": "{a}和{b}成了真正的朋友。",
    "love": "{a}和{b}终于走到了一起。",
    "pursuit": "{a}终于追上了{b}，也弄清了真相。",
    "rescue": "{a}和{b}都平安无事。",
    "search": "{a}终于找回了失去的东西。",
    "learn": "{b}终于学会了，{a}露出了欣慰的笑容。",
    "build": "{a}和{b}终于大功告成。",
}
ZH_MIDDLES = {  # (what changes everything, what stands in the way)
    "": ("直到有一天，{a}发现了一个神秘的{thing}。", "{b}对此{doubt}，两人之间起了冲突。"),
    "friendship": ("直到有一天，{a}遇见了{b}。", "起初{b}总是躲着{a}，两人之间误会重重。"),
    "love": ("直到有一天，{a}和{b}相遇了。", "骄傲和误会让他们一再错过。"),
    "pursuit": ("{a}发现了{b}的踪迹，一路追了下去。", "{b}总是快人一步，追逐越来越紧张。"),
    "rescue": ("危险一步步逼近，{b}被困其中。", "时间所剩无几，{a}必须做出选择。"),
    "search": ("{a}四处寻找，却毫无头绪。", "{b}也加入进来，可每条线索都断了。"),
    "learn": ("{b}一次次尝试，却总是失败。", "{a}耐心地陪在一旁，从不放弃。"),
    "build": ("{a}和{b}一起动手，却总是出错。", "两人越来越着急，差点吵了起来。"),
}
ZH_ENDINGS_DEFAULT = ["{a}和{b}终于理解了彼此。", "{a}和{b}一起迎来了新的一天。", "{a}和{b}并肩站在了一起。"]


ACTIONS = {
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
LINES = {
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
PLAIN_ACTIONS = {
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
PLAIN_LINES = {
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
ARC_ACTIONS = {
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
ARC_LINES = {
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
