"""The one exception type whose message is meant for the user (CLI prints it, the UI shows it)."""


class EchoError(Exception):
    """Something the user can fix; str(error) says what and how. Raising it must leave state unchanged."""
