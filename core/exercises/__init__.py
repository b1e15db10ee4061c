"""The course's exercise inputs (the Conv lab's and the Calculators' presets); answers are
always computed. May import: core.cluster and every area below it; not core.explain or
core.scratch."""
