"""Skills are markdown files read at call time; a home folder overrides the packaged ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import EchoError
from skills import PACKAGED_SKILLS_DIR, list_skills, load_skill

STAGE_SKILLS = {"planning", "routing", "story", "shot_condition", "revision", "critic"}


def test_every_stage_skill_is_packaged_with_front_matter() -> None:
    skills = {skill.name: skill for skill in list_skills()}
    assert set(skills) >= STAGE_SKILLS
    for skill in skills.values():
        assert skill.description and len(skill.body) > 200
        assert not skill.body.startswith("---")
    assert "1+8k" in skills["shot_condition"].body and "ID_A" in skills["shot_condition"].body
    assert "at most two characters" in skills["planning"].body.lower()


def test_home_override_takes_precedence_and_edits_apply_without_reload(tmp_path: Path) -> None:
    path = tmp_path / "skills" / "critic" / "SKILL.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\nname: critic\ndescription: strict\n---\nReject everything blue.\n", encoding="utf-8")
    assert load_skill("critic", home=tmp_path).body == "Reject everything blue."
    path.write_text("---\nname: critic\ndescription: strict\n---\nReject everything red.\n", encoding="utf-8")
    assert load_skill("critic", home=tmp_path).body == "Reject everything red."
    assert load_skill("critic").path == PACKAGED_SKILLS_DIR / "critic" / "SKILL.md"
    assert {skill.name for skill in list_skills(tmp_path)} >= STAGE_SKILLS
    assert next(s for s in list_skills(tmp_path) if s.name == "critic").description == "strict"


@pytest.mark.parametrize("name", ["../etc", "Planning", "", "a b"])
def test_odd_skill_names_are_refused(name: str) -> None:
    with pytest.raises(EchoError, match="not a skill name"):
        load_skill(name)


def test_unknown_skill_lists_the_known_ones() -> None:
    with pytest.raises(EchoError, match=r"no skill called 'missing' \(known: critic, planning"):
        load_skill("missing")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("no front matter here", "must start with front matter"),
        ("---\nname: other\n---\nbody\n", "declares name 'other'"),
        ("---\nname: broken\n---\n\n", "no guidance"),
    ],
)
def test_broken_skill_files_get_clear_errors(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "skills" / "broken" / "SKILL.md"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EchoError, match=problem):
        load_skill("broken", home=tmp_path)
