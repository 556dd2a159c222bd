"""Extension list, OpenMP probe and compiler flags; all metadata lives in pyproject.toml.

Flags (GCC/Clang; MSVC gets /O2 /openmp):

* ours, ``-O3 -fno-math-errno [-fopenmp] [-g0]``, go AFTER the interpreter's recorded flags and
  BEFORE the user's ``CFLAGS``/``CPPFLAGS``, so a user's ``-O1``, ``-g`` or ``-fno-openmp`` wins;
* ``-g0`` (no debug info in the .so files) unless debug info was asked for: a ``-g`` in the
  user's ``CFLAGS``, ``build_ext --debug``, or ``FASTENTROPY_DEBUG=1``;
* the OpenMP probe compiles and links the way the real build does (the user's ``CFLAGS``,
  ``CPPFLAGS`` and ``LDFLAGS``), so a sanitizer or other extra-flag build keeps OpenMP.

Environment: ``FASTENTROPY_EXTENSIONS=a,b`` builds only those kernels (developer builds);
``FASTENTROPY_BUILD_JOBS=N`` sets the number of parallel compile jobs (default: the usable cores).
"""
from __future__ import annotations

import glob
import os
import shlex
import shutil
import sys
import tempfile
import textwrap
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

OUR_CFLAGS = ["-O3", "-fno-math-errno"]
OPENMP_FLAG = "-fopenmp"


def _env_tokens(*names: str) -> list[str]:
    """The words of the environment variables ``names``, in order (as distutils splits them)."""
    return [tok for name in names for tok in shlex.split(os.environ.get(name, ""))]


def _wants_debug_info(user_cflags: list[str], debug_option: bool) -> bool:
    """True when the user asked for debug info: any ``-g``/``-ggdb``/``-g3`` in their CFLAGS
    (the last such flag decides, so ``-g -g0`` is no), ``build_ext --debug``, or
    ``FASTENTROPY_DEBUG`` set to anything but empty or ``0``."""
    if debug_option or os.environ.get("FASTENTROPY_DEBUG", "0") not in ("", "0"):
        return True
    g_flags = [t for t in user_cflags if t.startswith("-g") and not t.startswith("-gno-")]
    return bool(g_flags) and g_flags[-1] != "-g0"


def our_compile_flags(openmp: bool, debug_info: bool) -> list[str]:
    return OUR_CFLAGS + ([OPENMP_FLAG] if openmp else []) + ([] if debug_info else ["-g0"])


def _find_run(seq: list[str], run: list[str]) -> int:
    """Index of the last occurrence of ``run`` as a contiguous run inside ``seq``, or -1."""
    n = len(run)
    for i in range(len(seq) - n, -1, -1):
        if seq[i : i + n] == run:
            return i
    return -1


def place_before_user_flags(command: list[str], ours: list[str], user: list[str]) -> list[str]:
    """``command`` (a compiler command line from distutils) with ``ours`` inserted just before
    the user's flags ``user``, so the user's flags come later and win.

    distutils builds ``compiler_so`` as ``CC [recorded CFLAGS] $CFLAGS $CPPFLAGS CCSHARED``
    (older setuptools keep the interpreter's recorded CFLAGS, newer ones let $CFLAGS replace
    them). Without user flags ours go last (after the recorded ``-g``, so ``-g0`` takes effect).
    If the user's words cannot be found as one run (an unknown layout), ours go last followed
    by the user's words again, which keeps the same precedence.
    """
    if not user:
        return command + ours
    at = _find_run(command, user)
    if at < 0:
        return command + ours + user
    return command[:at] + ours + command[at:]


def probe_link_preargs() -> list[str]:
    """Words the probe's link puts before the objects: the user's LDFLAGS, CFLAGS and CPPFLAGS,
    which distutils adds to every shared-object link of the real build."""
    return _env_tokens("LDFLAGS", "CFLAGS", "CPPFLAGS")


def _compiler_accepts_openmp(compiler: Any) -> bool:
    """Compile and link a tiny OpenMP program with ``-fopenmp`` and the user's flags (as the
    real build compiles and links); False if anything fails."""
    tmp = tempfile.mkdtemp()
    try:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as f:
            f.write(textwrap.dedent("""
                #include <omp.h>
                int main(void) {
                    int n = 0;
                    #pragma omp parallel reduction(+:n)
                    n += 1;
                    return omp_get_max_threads() > 0 && n > 0 ? 0 : 1;
                }
            """))
        objs = compiler.compile([src], output_dir=tmp, extra_postargs=[OPENMP_FLAG])
        compiler.link_executable(
            objs,
            os.path.join(tmp, "probe"),
            extra_preargs=probe_link_preargs(),
            extra_postargs=[OPENMP_FLAG],
        )
        return True
    except Exception as exc:  # any failure means: build without OpenMP
        print(f"fastentropy: OpenMP probe failed: {exc}", file=sys.stderr)
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def build_jobs() -> int:
    """Parallel compile jobs: ``FASTENTROPY_BUILD_JOBS`` or the cores this process may use."""
    env = os.environ.get("FASTENTROPY_BUILD_JOBS", "")
    if env:
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class BuildExt(build_ext):
    def finalize_options(self) -> None:
        super().finalize_options()
        self.parallel: int | None
        if not self.parallel:  # no -j given: one job per usable core
            jobs = build_jobs()
            self.parallel = jobs if jobs > 1 else None

    def build_extensions(self) -> None:
        if self.compiler.compiler_type == "msvc":
            openmp = True
            for ext in self.extensions:
                ext.extra_compile_args = ["/O2", "/openmp"]
        else:
            openmp = _compiler_accepts_openmp(self.compiler)
            user_c = _env_tokens("CFLAGS", "CPPFLAGS")
            ours = our_compile_flags(openmp, _wants_debug_info(user_c, bool(self.debug)))
            for attr in ("compiler_so", "compiler_so_cxx"):
                if isinstance(getattr(self.compiler, attr, None), list):
                    cmd = getattr(self.compiler, attr)
                    setattr(self.compiler, attr, place_before_user_flags(cmd, ours, user_c))
            for ext in self.extensions:
                ext.extra_compile_args = []
                ext.extra_link_args = [OPENMP_FLAG] if openmp else []
        if not openmp:
            print("fastentropy: compiler has no OpenMP, building serial kernels", file=sys.stderr)
        super().build_extensions()


def _extensions() -> list[Extension]:
    from Cython.Build import cythonize

    only = {s for s in os.environ.get("FASTENTROPY_EXTENSIONS", "").split(",") if s}
    exts = []
    for pyx in sorted(glob.glob(os.path.join("fastentropy", "_kernels", "*.pyx"))):
        stem = os.path.splitext(os.path.basename(pyx))[0]
        if only and stem not in only:
            continue
        exts.append(Extension(f"fastentropy._kernels.{stem}", [pyx]))
    if not exts and not only:
        raise RuntimeError("fastentropy: no fastentropy/_kernels/*.pyx found (incomplete sdist?)")
    result: list[Extension] = cythonize(
        exts,
        language_level=3,
        # Worker processes re-import this file under spawn/forkserver: the __main__ guard below
        # keeps them from running setup() again.
        nthreads=build_jobs() if len(exts) > 1 else 0,
        compiler_directives={
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
            "nonecheck": False,
            "embedsignature": True,
        },
    )
    return result


if __name__ == "__main__":
    setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildExt})
