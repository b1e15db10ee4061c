"""The convolution lab's exact arithmetic: typed matrices, conv / pool / backward traces, answer
checking, the --json export. May import: core.arch and core's shared modules."""
