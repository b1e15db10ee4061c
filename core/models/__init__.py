"""The model zoo: every network the app can build, pretrained weights, preset layer tables,
networks loaded ready to explain. May import: core.data, core.convlab, core.arch and core's
shared modules; not core.runs."""
