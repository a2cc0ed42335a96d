"""The package layout of the wheel (the metadata is in pyproject.toml).

The repository keeps the GPU kernels, the lessons and the exercises in top-level folders
(``kernels/``, ``lessons/``, ``exercises/``); the wheel maps them into the one package it
installs, so nothing but ``tinygrad_edu`` lands at the top of site-packages:

    kernels/*/  -> tinygrad_edu/kernels/*/          (tinygrad_edu.kernels.numba_cuda, .cupy)
    lessons/    -> tinygrad_edu/course/_lessons/    (lesson scripts, README, ERRATA)
    exercises/  -> tinygrad_edu/course/_exercises/  (one folder per exercise)

An editable install maps the same names onto the checkout's folders.
``tinygrad_edu/course/paths.py`` finds the lessons and exercises in either layout.
"""

from setuptools import find_packages, setup

MAPPED = {
    "tinygrad_edu.course._lessons": "lessons",
    "tinygrad_edu.course._exercises": "exercises",
}
# The kernel subpackages map onto kernels/<name>; tinygrad_edu/kernels/__init__.py is
# the package itself (it also finds kernels/ in a checkout).
kernel_packages = [f"tinygrad_edu.kernels.{p}" for p in find_packages(where="kernels")]

setup(
    packages=[
        *find_packages(include=["tinygrad_edu", "tinygrad_edu.*"]),
        *MAPPED,
        *kernel_packages,
    ],
    package_dir={
        **MAPPED,
        **{p: "kernels/" + p.split(".", 2)[2].replace(".", "/") for p in kernel_packages},
    },
    package_data={
        "tinygrad_edu": ["py.typed"],
        "tinygrad_edu.course._lessons": ["*.md"],
        "tinygrad_edu.course._exercises": ["*.md", "*/*.py", "*/*.md"],
    },
    exclude_package_data={"": ["__pycache__/*", "*.pyc"]},
)
