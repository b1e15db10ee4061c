"""The one error type whose message is written for the user, not for a developer.

Core functions raise subclasses of `UserError` for bad input (a ragged matrix, an unknown
preset, missing data). The CLI prints the message and exits with code 2; screens show it
inline. Anything else escaping the core is a bug and keeps its traceback.
"""


class UserError(ValueError):
    """Bad input or a missing resource; `str(error)` says what is wrong and what to do."""
