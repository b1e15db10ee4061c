"""The Sheet workspace: a course pack's tasks with points and the student's progress; Enter
opens a task in its workspace. May import: tui, core (never another workspace)."""
