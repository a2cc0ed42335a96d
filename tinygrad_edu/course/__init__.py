"""The course tooling around the library: lessons, exercises and the grader, the CLI.

It depends on the library one way: :mod:`tinygrad_edu` (the tensor library) never
imports anything from here (``tests/test_architecture_course.py`` holds it to that).

- :mod:`.lessons`: the record API lessons call (``claim``, ``show``, ``out_dir``);
- :mod:`.lesson_runner`: finds, runs and tabulates the lessons;
- :mod:`.grading`: exercises, the isolated grader, Gradescope bundles;
- :mod:`.paths`: where the lessons and exercises are (checkout, wheel, or a variable);
- :mod:`.cli`: the ``tinygrad-edu`` command.
"""
