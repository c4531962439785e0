from tools import undo as undo  # registers undo_last_change (tools.base.TOOL_MODULES imports the other tools)
