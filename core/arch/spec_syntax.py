"""Where a SPEC fails to parse, told in the user's own lines and columns.

`parse_spec` reads a SPEC as the inside of a Python list, so Python's own message may name the
list's brackets, which the user never typed (a missing `)` became "closing parenthesis ']'
does not match", an extra one "does not match opening parenthesis '['"). Brackets are
therefore paired here on the text as typed, and any other syntax error is moved back from the
wrapped text to the user's line and column, quoting the line it is on.
"""

from __future__ import annotations

PAIRS = {"(": ")", "[": "]", "{": "}"}
"""Opening bracket → its closing bracket."""

HINT = "Write layers as `Name(arg, key=value)`, separated by commas."


def _where(text: str, line: int, column: int, width: int = 40) -> str:
    """`line L, column C (`…the text around it…`)`, 1-based, in characters."""
    lines = text.split("\n")
    typed = lines[line - 1] if line <= len(lines) else ""
    start = max(0, min(column - 1 - width // 2, len(typed) - width))
    window = typed[start : start + width].strip()
    if not window:
        return f"line {line}, column {column}"
    before = "…" if typed[:start].strip() else ""
    after = "…" if typed[start + width :].strip() else ""
    return f"line {line}, column {column} (`{before}{window}{after}`)"


def _skip_string(text: str, start: int) -> int | None:
    """The index just past the string literal opening at `start`; None when it never ends."""
    quote = text[start : start + 3] if text[start : start + 3] in ('"""', "'''") else text[start]
    index = start + len(quote)
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text.startswith(quote, index):
            return index + len(quote)
        if text[index] == "\n" and len(quote) == 1:
            return None
        index += 1
    return None


def bracket_problem(text: str) -> str | None:
    """The first bracket of `text` that does not pair, with its line and column; None when
    every bracket pairs (strings and comments are skipped; an unterminated string stops the
    scan and is left to Python's message)."""
    stack: list[tuple[str, int, int]] = []  # (bracket, line, column) still open
    line, line_start, index = 1, 0, 0
    while index < len(text):
        char = text[index]
        if char == "\n":
            line, line_start = line + 1, index + 1
        elif char == "#":
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
            continue
        elif char in "'\"":
            closed = _skip_string(text, index)
            if closed is None:
                return None
            line += text.count("\n", index, closed)
            if "\n" in text[index:closed]:
                line_start = text.rindex("\n", index, closed) + 1
            index = closed
            continue
        elif char in PAIRS:
            stack.append((char, line, index - line_start + 1))
        elif char in ")]}":
            where = _where(text, line, index - line_start + 1)
            if not stack:
                return f"at {where}: `{char}` closes no bracket; remove it"
            opened, at_line, at_column = stack.pop()
            if PAIRS[opened] != char:
                return (
                    f"at {where}: `{char}` does not close the `{opened}` opened at line "
                    f"{at_line}, column {at_column}; write `{PAIRS[opened]}` there"
                )
        index += 1
    if stack:
        opened, at_line, at_column = stack[-1]
        return (
            f"at {_where(text, at_line, at_column)}: `{opened}` is never closed; "
            f"add `{PAIRS[opened]}` where its arguments end"
        )
    return None


def syntax_message(text: str, error: SyntaxError) -> str:
    """The message for a SyntaxError Python raised on `[` + text + `\\n]`."""
    problem = bracket_problem(text)
    if problem is None:
        line = error.lineno or 1
        column = (error.offset or 1) - (1 if line == 1 else 0)  # the `[` before line 1
        typed = text.rstrip()
        last = typed.count("\n") + 1
        end_column = len(typed.rsplit("\n", 1)[-1]) + 1
        if line > last or (line == last and column > end_column):
            line, column = last, end_column  # on the closing `]`: the SPEC ends too early
            place = f"at the end, {_where(text, line, column)}"
        else:
            place = f"at {_where(text, line, max(column, 1))}"
        reason = (error.msg or "invalid syntax").rstrip(".")
        problem = f"{place}: {reason}"
    ending = "" if problem.endswith(("?", "!")) else "."
    return f"Cannot read the SPEC {problem}{ending} {HINT}"
