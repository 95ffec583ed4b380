"""Build step: the wheel carries the repository's ontology/ and shapes/ (the source of truth) as
b40graph/vocabulary/, so that `b40graph init` can copy them into a new project. Configuration is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithModel(build_py):
    def run(self) -> None:
        super().run()
        for kind in ("ontology", "shapes"):
            target = Path(self.build_lib) / "b40graph" / "vocabulary" / kind
            target.mkdir(parents=True, exist_ok=True)
            for source in sorted(Path(kind).glob("*.ttl")):
                shutil.copyfile(source, target / source.name)


setup(cmdclass={"build_py": BuildWithModel})
