"""The film a tab's action is about: the one the tab was filled from, which must still be the film that is open."""

from __future__ import annotations

from director.ui.context import AppContext
from generator.errors import EchoError


def tab_project(ctx: AppContext, choice: str | None, shown: int | None, tab: str, unfilled_ok: bool = False) -> int:
    """The open film's id when the `tab` tab shows that film; EchoError otherwise (acting would change a film
    the creator is not looking at, or act on fields that were never filled in). With `unfilled_ok`, an action
    whose fields are all in the request (an API caller that never filled the tab) acts on the open film."""
    project_id = ctx.project_id(choice)
    if shown is None and unfilled_ok:
        return project_id
    if shown is None:
        raise EchoError(f"the {tab} tab shows no film yet; nothing was changed. Open the {tab} tab again first")
    if int(shown) != project_id:
        raise EchoError(
            f"the {tab} tab still shows film #{int(shown)}, but film #{project_id} is open now; nothing was changed. "
            f"Open the {tab} tab again to see this film, then try again"
        )
    return project_id
