"""Course packs: an exercise sheet as one TOML file, its tasks solved and students' answers
checked and graded (answers are always computed, never stored). May import: core.cluster and
every area below it; not core.exercises, core.explain or core.scratch."""
