"""Package layout for setuptools (the rest of the metadata is in pyproject.toml).

The repository keeps its bundled assets in the top-level `data/` folder (photos with their
attribution, the built-in course packs, the course template). A wheel installs them inside the
`core` package as `core/bundled/`, where `core.assets` finds them when there is no checkout.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["core*", "tui*", "screens*"]), "core.bundled"],
    package_dir={"core.bundled": "data"},
    package_data={
        "core.bundled": ["*", "*/*"],  # every file of data/ and its subfolders
        "tui": ["*.tcss", "help/*.md"],
        "screens": ["*/*.tcss"],
    },
)
