"""Extension list and OpenMP probe; all metadata lives in pyproject.toml."""
import glob
import os
import shutil
import sys
import tempfile
import textwrap

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


def _compiler_accepts_openmp(compiler) -> bool:
    """Compile and link a tiny OpenMP program with ``-fopenmp``; False if anything fails."""
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
        objs = compiler.compile([src], output_dir=tmp, extra_postargs=["-fopenmp"])
        compiler.link_executable(objs, os.path.join(tmp, "probe"), extra_postargs=["-fopenmp"])
        return True
    except Exception:
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class BuildExt(build_ext):
    def build_extensions(self):
        is_msvc = self.compiler.compiler_type == "msvc"
        if is_msvc:
            comp, link = ["/O2", "/openmp"], []
            openmp = True
        else:
            openmp = _compiler_accepts_openmp(self.compiler)
            comp = ["-O3", "-fno-math-errno"] + (["-fopenmp"] if openmp else [])
            link = ["-fopenmp"] if openmp else []
        if not openmp:
            print("fastentropy: compiler has no OpenMP, building serial kernels", file=sys.stderr)
        for ext in self.extensions:
            ext.extra_compile_args = comp
            ext.extra_link_args = link
        super().build_extensions()


def _extensions():
    from Cython.Build import cythonize

    only = {s for s in os.environ.get("FASTENTROPY_EXTENSIONS", "").split(",") if s}
    exts = []
    for pyx in sorted(glob.glob(os.path.join("fastentropy", "_kernels", "*.pyx"))):
        stem = os.path.splitext(os.path.basename(pyx))[0]
        if only and stem not in only:
            continue
        exts.append(Extension(f"fastentropy._kernels.{stem}", [pyx]))
    return cythonize(
        exts,
        language_level=3,
        compiler_directives={
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
            "nonecheck": False,
            "embedsignature": True,
        },
    )


setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildExt})
