"""Requests that change the plan's structure or history, read from the message's shape ('move § before §', with §
for each shot reference): undo, roll a shot back to a take, delete, duplicate, move and insert shots.

A shot number beyond the plan is kept as said: the graph reports the valid range."""

from __future__ import annotations

import re

from director.briefs import ProjectBrief
from director.offline.cannot import cannot
from director.offline.references import NUMBER, ORDINALS, ZH_NUMBER, ShotRef, cards_named, count_of, scenes_named
from director.offline.timing import shot_seconds, speech_seconds
from director.schemas import DialogueSpec, RouteDecision, ShotSpec
from generator.text import as_sentence
from generator.types import MAX_CHARACTERS_PER_SHOT

_UNDO = re.compile(
    r"^(?:undo(?: (?:that|it|this|the last (?:change|edit|step|action)))?|take (?:that|it) back|"
    r"revert (?:that|it|the last change)|撤销|撤回|撤销(?:上一步|刚才的(?:修改|操作)|这一步)|回到上一步)$",
    re.IGNORECASE,
)
_ROLLBACK_VERB = re.compile(
    r"\b(?:roll\s*back|revert|go back|switch back|restore|return|bring back|use)\b|回退|回滚|恢复|退回|回到|换回|用回",
    re.IGNORECASE,
)
_VERSION = re.compile(
    rf"\b(?:version|take|v)\s*#?\s*(?P<number>{NUMBER})\b|\b(?:the\s+)?(?P<ordinal>{'|'.join(ORDINALS)})\s+"
    rf"(?:version|take)\b|第\s*(?P<zh>{ZH_NUMBER})\s*(?:版|个版本|次)|版本\s*(?P<zh_after>{ZH_NUMBER})|"
    r"(?P<previous>\bprevious (?:version|take)\b|上一(?:版|个版本))",
    re.IGNORECASE,
)
_BARE_ROLLBACK = re.compile(
    r"^(?:(?:roll\s*back|revert|restore)\s+§|§\s*[:：,]?\s*(?:roll\s*back|revert)|(?:把|将)?§(?:回退|回滚)(?:一下)?)$",
    re.IGNORECASE,
)
_DELETE = re.compile(
    r"^(?:(?:delete|remove|drop|cut|scrap|discard|get rid of)\s+§|§\s*[:：,]?\s*(?:delete|remove)(?: it)?|"
    r"(?:删除|删掉|去掉|移除|去除|删)§|(?:把|将)§(?:删除|删掉|去掉|移除|删了|去掉))$",
    re.IGNORECASE,
)
_DUPLICATE = re.compile(
    r"^(?:(?:duplicate|copy|clone)\s+§(?: (?:once|again))?|make a copy of §|(?:复制|拷贝)(?:一下|一份)?§|"
    r"(?:把|将)§(?:复制|拷贝)(?:一份|一下|一遍)?)$",
    re.IGNORECASE,
)
_MOVE_VERB = r"(?:move|put|place|shift)\s+§\s+"
_ZH_MOVE_VERB = r"(?:把|将)§(?:移到|移动到|挪到|放到|调到|移至)"
_START = re.compile(r"start|beginning|front|top|very beginning|开头|最前面|最前", re.IGNORECASE)
_EDGE = r"(?:very\s+)?(?:start|beginning|front|top|end|bottom)"
_ZH_EDGE = r"开头|最前面|最前|最后面|最后|末尾|结尾"
_MOVE_RELATIVE = re.compile(
    rf"^{_MOVE_VERB}(?P<side>before|after|in front of|ahead of|behind)\s+§$|"
    rf"^{_ZH_MOVE_VERB}§(?P<zh_side>前面|之前|前|后面|之后|后)$",
    re.IGNORECASE,
)
_MOVE_EDGE = re.compile(
    rf"^{_MOVE_VERB}(?:to\s+)?(?:the\s+)?(?P<edge>{_EDGE})(?:\s+of\s+(?:the\s+)?(?:film|plan|list|story))?$|"
    rf"^{_ZH_MOVE_VERB}(?P<zh_edge>{_ZH_EDGE})$",
    re.IGNORECASE,
)
_MOVE_POSITION = re.compile(
    rf"^{_MOVE_VERB}to\s+(?:position|number|slot|place|spot)\s*#?\s*(?P<number>{NUMBER})$|^{_MOVE_VERB}to\s+§$|"
    rf"^{_ZH_MOVE_VERB}第\s*(?P<zh>{ZH_NUMBER})\s*(?:个)?(?:位置|位)$",
    re.IGNORECASE,
)
_INSERT = re.compile(
    r"^(?:add|insert|create|put in|append|include)\s+(?:in\s+)?(?:a|an|one|another)?\s*(?:new\s+|extra\s+|more\s+)?"
    r"shot\b(?P<rest>.*)$|^(?P<zh_before>(?:在.{0,12}?)?)(?:加|添加|增加|插入|新增|补)上?(?:一个|一|个)?(?:新的?)?"
    r"(?:镜头|分镜)(?P<zh_rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_INSERT_AT_EDGE = re.compile(rf"\b(?:at|to)\s+the\s+(?P<edge>{_EDGE})\b|在?(?P<zh>{_ZH_EDGE})", re.IGNORECASE)
_INSERT_NEAR = re.compile(
    r"\b(?:right\s+|just\s+)?(?P<side>after|before|following|behind)\s+§|\bas\s+(?P<as>§)|"
    r"\bbetween\s+§\s+and\s+(?P<between>§)|在?§(?P<zh_side>前面|之前|前|后面|之后|后)",
    re.IGNORECASE,
)
_CONTENT_OPENER = re.compile(
    r"^[\s,:：;，；—-]*(?:(?:where|in which|which shows|that shows|showing|of|with|in it|that|内容是|内容为)\b)?"
    r"[\s,:：;，；—-]*",
    re.IGNORECASE,
)
_SAYS = re.compile(
    r"\s*(?:,|，|\band\b)?\s*(?:(?:says|said|saying|say)\s*[:,]?|(?:要|应该)?说\s*[:：]?)\s*"
    r"[\"“'‘「](?P<line>.+?)[\"”'’」](?!\w)",
    re.IGNORECASE,
)
_UNSUPPORTED = re.compile(
    r"\b(?:swap|switch|exchange|trade)\b.*§.*§|\bsplit\b.*§|\b(?:merge|combine|join)\b.*§.*§|"
    r"\b(?:reverse|shuffle|reorder|sort)\b.*\bshots\b|(?:交换|对调|调换|互换).*§.*§|(?:拆分|拆成|分成).*§|§.*(?:拆分|拆成)|"
    r"合并.*§.*§|§.*§.*合并",
    re.IGNORECASE,
)


def history_decision(plain: str, shape: str, refs: list[ShotRef], brief: ProjectBrief) -> RouteDecision | None:
    """undo, or rollback_shot: 'roll back shot 4 to version 1', 'go back to take 1 of shot 4', '把镜头4回退到第1版'."""
    if _UNDO.match(plain):
        return RouteDecision(intent="undo", feedback=plain)
    if len(refs) != 1 or not _ROLLBACK_VERB.search(shape):
        return None
    number = refs[0].number
    version_match = _VERSION.search(shape)
    if version_match is None and not _BARE_ROLLBACK.match(shape):
        return None
    version = _version(version_match, next((s.version for s in brief.shots if s.number == number), None))
    if version is not None and version < 1:
        return cannot(f"There is no version {version}: takes are numbered from 1.")
    return RouteDecision(intent="rollback_shot", shot_number=number, version=version, feedback=plain)


def structure_decision(command: str, shape: str, refs: list[ShotRef], brief: ProjectBrief) -> RouteDecision | None:
    """delete_shot, duplicate_shot, move_shot or insert_shot; `cannot` for swaps, splits and merges."""
    numbers = [ref.number for ref in refs]
    if _DELETE.match(shape):
        return RouteDecision(intent="delete_shot", shot_number=numbers[0], feedback=command)
    if _DUPLICATE.match(shape):
        return RouteDecision(intent="duplicate_shot", shot_number=numbers[0], feedback=command)
    if (target := _move_target(shape, numbers, len(brief.shots))) is not None:
        return RouteDecision(intent="move_shot", shot_number=numbers[0], target_number=target, feedback=command)
    if insert := _INSERT.match(shape):
        return _insert(insert, numbers, brief)
    if _UNSUPPORTED.search(shape):
        return cannot(
            "I can't swap, split or merge shots in one step.",
            "Shot inspector",
            hint="Move, duplicate or delete one shot at a time ('move shot 5 before shot 2', 'duplicate shot 3').",
            llm=False,
        )
    return None


def _version(match: re.Match[str] | None, current: int | None) -> int | None:
    """The take version asked for; 'previous' (or no version at all) is the one before the current take."""
    if match is None or match["previous"]:
        return current - 1 if current is not None and current > 1 else None
    if match["ordinal"]:
        return ORDINALS[match["ordinal"].lower()]
    return count_of(match["number"] or match["zh"] or match["zh_after"])


def _move_target(shape: str, numbers: list[int | None], count: int) -> int | None:
    """The number the moved shot gets: before shot 2 -> 2, after shot 2 -> 3 (2 when it came from before 2)."""
    source = numbers[0] if numbers else None
    if match := _MOVE_RELATIVE.match(shape):
        anchor = numbers[1]
        if source is None or anchor is None:
            return None
        side = (match["side"] or match["zh_side"]).lower()
        after = side in ("after", "behind") or side.startswith(("后", "之后"))
        target = anchor + (1 if after else 0) - (1 if source < anchor else 0)
        return max(target, 1)
    if match := _MOVE_EDGE.match(shape):
        return 1 if _START.search(match["edge"] or match["zh_edge"]) else max(count, 1)
    if match := _MOVE_POSITION.match(shape):
        position = match["number"] or match["zh"]
        target = count_of(position) if position else numbers[1]
        return target if target is not None and target >= 1 else None
    return None


def _insert(match: re.Match[str], numbers: list[int | None], brief: ProjectBrief) -> RouteDecision:
    """insert_shot: where the new shot goes (default: the end) and what it shows, from the text after the placement."""
    rest = match["rest"] if match["rest"] is not None else f"{match['zh_before']} {match['zh_rest']}"
    target = len(brief.shots) + 1
    if near := _INSERT_NEAR.search(rest):
        anchor = numbers[rest[: near.start()].count("§")]
        if anchor is not None:
            side = (near["side"] or near["zh_side"] or "").lower()
            before = side == "before" or side.startswith(("前", "之前")) or bool(near["as"] or near["between"])
            target = max(anchor if before else anchor + 1, 1)
        rest = rest[: near.start()] + rest[near.end() :]
    elif edge := _INSERT_AT_EDGE.search(rest):
        target = 1 if _START.search(edge["edge"] or edge["zh"]) else target
        rest = rest[: edge.start()] + rest[edge.end() :]
    content = _CONTENT_OPENER.sub("", rest, count=1).strip()
    if not content or "§" in content:
        return cannot(
            "I can't add an empty shot.",
            "Shot inspector",
            hint="Say what happens in it: 'add a shot at the end where Mae waves goodbye'.",
            llm=False,
        )
    return RouteDecision(
        intent="insert_shot", target_number=target, new_shot=_new_shot(content, target, brief), feedback=content
    )


def _new_shot(content: str, target: int, brief: ProjectBrief) -> ShotSpec:
    """The new shot: the action as written, the cast members it names (two at most), a scene it names or else the
    scene of the shot before it (after it, for a new first shot), and a quoted line as the dialogue of the person
    named last before it."""
    dialogue: list[DialogueSpec] = []
    said = _SAYS.search(content)
    speaker = next(reversed(cards_named(content[: said.start()], brief)), None) if said else None
    if said and speaker:
        dialogue = [DialogueSpec(speaker=speaker.name, text=said["line"].strip())]
        content = (content[: said.start()] + content[said.end() :]).strip()
    people = [card.name for card in cards_named(content, brief)]
    if speaker and speaker.name not in people[:MAX_CHARACTERS_PER_SHOT]:
        people = [speaker.name, *people][:MAX_CHARACTERS_PER_SHOT]
    shot = ShotSpec(
        scene=_scene_near(content, target, brief),
        characters=people[:MAX_CHARACTERS_PER_SHOT],
        action=as_sentence(content),
        dialogue=dialogue,
    )
    needed = shot_seconds(sum(speech_seconds(line.text) for line in dialogue)) if dialogue else 0.0
    return shot.model_copy(update={"duration_s": needed}) if needed > shot.duration_s else shot


def _scene_near(content: str, target: int, brief: ProjectBrief) -> str:
    if named := scenes_named(content, brief):
        return named[0].name
    by_number = {shot.number: shot for shot in brief.shots}
    neighbour = by_number.get(target - 1) or by_number.get(target) or (brief.shots[-1] if brief.shots else None)
    scene_id = neighbour.scene_id if neighbour else ""
    scene = next((scene for scene in brief.scenes if scene.scene_id == scene_id), None)
    return scene.name if scene else (brief.scenes[0].name if brief.scenes else "")
