"""The build: compiler flags, the OpenMP probe, and what the wheel and the sdist carry.

Real builds here compile only the smallest kernel (``_openmp``) in a temporary copy of the
sources, so the checkout's in-place build is never touched and the file stays well under a
minute. They need the build requirements (setuptools >= 77, Cython; both in the ``test`` extra)
and a C compiler; otherwise they skip and say which is missing.
"""
from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import struct
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SETUP_PY = ROOT / "setup.py"
KERNELS = ROOT / "fastentropy" / "_kernels"
FLAG_VARS = ("CFLAGS", "CPPFLAGS", "LDFLAGS", "FASTENTROPY_DEBUG", "FASTENTROPY_BUILD_JOBS")


def _load_setup() -> ModuleType:
    if not SETUP_PY.is_file():
        pytest.skip(f"no setup.py beside the tests ({SETUP_PY}): not run from a source checkout")
    pytest.importorskip("setuptools", reason="setuptools (the build backend) is not installed")
    spec = importlib.util.spec_from_file_location("fastentropy_setup_under_test", SETUP_PY)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # the __main__ guard keeps setup() from running
    return mod


@pytest.fixture(scope="module")
def setup_mod() -> ModuleType:
    return _load_setup()


# ---------------------------------------------------------------- flag assembly (no compiler)

def test_our_flags_go_before_the_users_in_both_distutils_layouts(setup_mod: ModuleType) -> None:
    ours = ["-O3", "-fno-math-errno", "-fopenmp", "-g0"]
    user = ["-O1", "-fsanitize=address", "-DX=1"]
    # setuptools < ~72: CC, the interpreter's recorded CFLAGS, then $CFLAGS $CPPFLAGS, CCSHARED
    old = ["gcc", "-DNDEBUG", "-g", "-O3", "-Wall", *user, "-fPIC"]
    got = setup_mod.place_before_user_flags(old, ours, user)
    assert got == ["gcc", "-DNDEBUG", "-g", "-O3", "-Wall", *ours, *user, "-fPIC"]
    # newer setuptools: $CFLAGS replaces the recorded flags
    new = ["gcc", *user, "-fPIC"]
    assert setup_mod.place_before_user_flags(new, ours, user) == ["gcc", *ours, *user, "-fPIC"]
    # no user flags: ours last, after the recorded -g, so -g0 takes effect
    plain = ["gcc", "-g", "-O3", "-fPIC"]
    assert setup_mod.place_before_user_flags(plain, ours, []) == [*plain, *ours]
    # an unknown layout: the user's words are repeated after ours, so they still win
    odd = ["cc", "-O2"]
    assert setup_mod.place_before_user_flags(odd, ours, user) == [*odd, *ours, *user]


def test_the_last_optimisation_flag_is_the_users(setup_mod: ModuleType) -> None:
    user = ["-O1"]
    cmd = setup_mod.place_before_user_flags(["gcc", "-O3", "-fPIC"], ["-O3"], user)
    assert [t for t in cmd if t.startswith("-O")][-1] == "-O1"


@pytest.mark.parametrize(
    ("cflags", "debug_option", "env_debug", "expected"),
    [
        ([], False, None, False),
        (["-O1"], False, None, False),
        (["-g"], False, None, True),
        (["-O2", "-ggdb3"], False, None, True),
        (["-g", "-g0"], False, None, False),
        (["-gno-record-gcc-switches"], False, None, False),
        ([], True, None, True),
        ([], False, "1", True),
        ([], False, "0", False),
    ],
)
def test_debug_info_only_when_asked(
    setup_mod: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    cflags: list[str],
    debug_option: bool,
    env_debug: str | None,
    expected: bool,
) -> None:
    if env_debug is None:
        monkeypatch.delenv("FASTENTROPY_DEBUG", raising=False)
    else:
        monkeypatch.setenv("FASTENTROPY_DEBUG", env_debug)
    assert setup_mod._wants_debug_info(cflags, debug_option) is expected
    flags = setup_mod.our_compile_flags(True, expected)
    assert ("-g0" in flags) is (not expected)
    assert "-fopenmp" in flags and "-ffast-math" not in flags


class _RecordingCompiler:
    """Stands in for a distutils compiler: records what the OpenMP probe asks of it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def compile(self, sources: list[str], **kw: Any) -> list[str]:
        self.calls.append(("compile", kw))
        return [s + ".o" for s in sources]

    def link_executable(self, objects: list[str], out: str, **kw: Any) -> None:
        self.calls.append(("link", kw))


def test_probe_links_with_the_users_ldflags_cflags_cppflags(
    setup_mod: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LDFLAGS", "-fsanitize=address -L/opt/x")
    monkeypatch.setenv("CFLAGS", "-O1 -fsanitize=address")
    monkeypatch.setenv("CPPFLAGS", "-DFOO")
    cc = _RecordingCompiler()
    assert setup_mod._compiler_accepts_openmp(cc) is True
    (_, ckw), (_, lkw) = cc.calls
    assert ckw["extra_postargs"] == ["-fopenmp"]
    assert lkw["extra_preargs"] == [
        "-fsanitize=address", "-L/opt/x", "-O1", "-fsanitize=address", "-DFOO"
    ]
    assert lkw["extra_postargs"] == ["-fopenmp"]


def test_parallel_jobs_default_and_override(
    setup_mod: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FASTENTROPY_BUILD_JOBS", raising=False)
    assert setup_mod.build_jobs() >= 1
    monkeypatch.setenv("FASTENTROPY_BUILD_JOBS", "3")
    assert setup_mod.build_jobs() == 3


# ---------------------------------------------------------------- real builds of one kernel

def _need_toolchain() -> str:
    pytest.importorskip("Cython", reason="Cython (a build requirement) is not installed")
    cc = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")[0]
    if shutil.which(cc) is None:
        pytest.skip(f"no C compiler: {cc!r} (the compiler Python was built with) is not on PATH")
    if os.name == "nt":
        pytest.skip("the flag checks are for GCC/Clang command lines; MSVC gets /O2 /openmp")
    return cc


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in FLAG_VARS}
    env["FASTENTROPY_EXTENSIONS"] = "_openmp"
    env.update(extra)
    return env


def _copy_sources(dest: Path, whole_package: bool) -> None:
    """A copy of the checkout with no built or generated files in it."""
    skip = shutil.ignore_patterns("*.so", "*.pyd", "*.c", "*.html", "__pycache__", "*.egg-info")
    if whole_package:
        for name in ("setup.py", "pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"):
            shutil.copy2(ROOT / name, dest / name)
        shutil.copytree(ROOT / "fastentropy", dest / "fastentropy", ignore=skip)
    else:  # just enough for setup.py build_ext of _openmp (no pyproject: no metadata needed)
        shutil.copy2(SETUP_PY, dest / "setup.py")
        (dest / "fastentropy" / "_kernels").mkdir(parents=True)
        (dest / "fastentropy" / "__init__.py").write_text("")
        (dest / "fastentropy" / "_kernels" / "__init__.py").write_text("")
        for name in ("_openmp.pyx", "_openmp_helpers.pxd"):
            shutil.copy2(KERNELS / name, dest / "fastentropy" / "_kernels" / name)


def _build_ext(tmp_path: Path, **env: str) -> tuple[str, Path]:
    _copy_sources(tmp_path, whole_package=False)
    proc = subprocess.run(
        [sys.executable, "setup.py", "build_ext", "--build-lib", "lib", "--build-temp", "obj"],
        cwd=tmp_path, env=_clean_env(**env), capture_output=True, text=True, timeout=240,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    (so,) = (tmp_path / "lib" / "fastentropy" / "_kernels").glob("_openmp*")
    return log, so


def _command_for(log: str, token_suffix: str, marker: str) -> list[str]:
    """The last logged command line with the word ``marker`` and a word ending in
    ``token_suffix`` (e.g. the compile of ``_openmp.c``: marker ``-c``)."""
    for line in reversed(log.splitlines()):
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        if marker in words and any(w.endswith(token_suffix) for w in words):
            return words
    raise AssertionError(f"no {marker} command for *{token_suffix} in the log:\n{log[-4000:]}")


def _elf_section_names(path: Path) -> list[str] | None:
    """Section names of an ELF file, or None if it is not ELF."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF":
        return None
    is64, e = data[4] == 2, ("<" if data[5] == 1 else ">")
    if is64:
        (shoff,) = struct.unpack_from(e + "Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", data, 0x3A)
    else:
        (shoff,) = struct.unpack_from(e + "I", data, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", data, 0x2E)

    def header(i: int) -> tuple[int, int, int]:
        base = shoff + i * shentsize
        (name,) = struct.unpack_from(e + "I", data, base)
        at = base + (0x18 if is64 else 0x10)  # sh_offset, sh_size
        off, size = struct.unpack_from(e + ("QQ" if is64 else "II"), data, at)
        return name, off, size

    _, stroff, strsize = header(shstrndx)
    table = data[stroff : stroff + strsize]
    return [table[n : table.index(b"\0", n)].decode() for n, _, _ in map(header, range(shnum))]


def _has_debug_info(so: Path) -> bool:
    names = _elf_section_names(so)
    if names is None:
        pytest.skip(f"{so.name} is not an ELF file: the debug-info check reads ELF sections")
    return any(n.startswith((".debug_info", ".zdebug_info")) for n in names)


def _asan_runtime(cc: str, tmp_path: Path) -> str:
    """Path of the ASan runtime to preload, or skip when the compiler cannot link ASan."""
    src = tmp_path / "asan_probe.c"
    src.write_text("int main(void) { return 0; }\n")
    ok = subprocess.run([cc, "-fsanitize=address", str(src), "-o", str(tmp_path / "asan_probe")],
                        capture_output=True).returncode == 0
    lib = subprocess.run([cc, "-print-file-name=libasan.so"], capture_output=True, text=True)
    path = lib.stdout.strip()
    if not ok or not os.path.isabs(path) or not os.path.exists(path):
        pytest.skip(f"{cc} cannot link -fsanitize=address here (no libasan runtime found)")
    return path


def test_sanitizer_build_keeps_openmp_and_a_requested_O1_wins(tmp_path: Path) -> None:
    cc = _need_toolchain()
    (tmp_path / "asan").mkdir()
    runtime = _asan_runtime(cc, tmp_path / "asan")
    log, so = _build_ext(
        tmp_path, CFLAGS="-O1 -fsanitize=address", LDFLAGS="-fsanitize=address"
    )
    assert "OpenMP probe failed" not in log and "building serial kernels" not in log, log
    compile_cmd = _command_for(log, "_openmp.c", "-c")
    assert "-fopenmp" in compile_cmd, compile_cmd
    opt = [t for t in compile_cmd if t.startswith("-O")]
    assert opt[-1] == "-O1" and compile_cmd.index("-O3") < compile_cmd.index("-O1"), compile_cmd
    link_cmd = _command_for(log, "_openmp.o", "-shared")
    assert "-fopenmp" in link_cmd and "-fsanitize=address" in link_cmd, link_cmd
    # The module itself reports OpenMP (run with the sanitizer runtime preloaded).
    (tmp_path / "lib" / "fastentropy" / "__init__.py").write_text("")
    (tmp_path / "lib" / "fastentropy" / "_kernels" / "__init__.py").write_text("")
    env = _clean_env(LD_PRELOAD=runtime, ASAN_OPTIONS="detect_leaks=0")
    code = ("import sys; sys.path.insert(0, sys.argv[1]); "
            "from fastentropy._kernels import _openmp as m; "
            "assert m.__file__.startswith(sys.argv[1]), m.__file__; "
            "print(m.openmp_enabled())")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "lib")], cwd=tmp_path / "obj",
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "True", out.stdout + out.stderr


def test_debug_info_is_kept_for_developers_who_ask(tmp_path: Path) -> None:
    _need_toolchain()
    log, so = _build_ext(tmp_path, FASTENTROPY_DEBUG="1")
    assert "-g0" not in _command_for(log, "_openmp.c", "-c")
    assert _has_debug_info(so)


def _need_modern_setuptools() -> None:
    import setuptools

    if int(setuptools.__version__.split(".")[0]) < 77:
        pytest.skip(f"setuptools {setuptools.__version__} cannot read pyproject.toml's SPDX "
                    "licence; the test extra installs setuptools>=77")


def test_wheel_and_sdist_contents(tmp_path: Path) -> None:
    _need_toolchain()
    _need_modern_setuptools()
    src = tmp_path / "src"
    src.mkdir()
    _copy_sources(src, whole_package=True)
    code = ("import sys; from setuptools import build_meta as b; d = sys.argv[1]; "
            "s = b.build_sdist(d); w = b.build_wheel(d); print('BUILT', s, w)")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "dist")], cwd=src,
                          env=_clean_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    # (the argv is read first: build_meta rewrites sys.argv; setuptools also prints to stdout)
    (built,) = [ln.split() for ln in proc.stdout.splitlines() if ln.startswith("BUILT ")]
    sdist_name, wheel_name = built[1:]

    with zipfile.ZipFile(tmp_path / "dist" / wheel_name) as whl:
        names = whl.namelist()
        kernel_files = [n for n in names if n.startswith("fastentropy/_kernels/")]
        assert not [n for n in names if n.endswith((".c", ".pyx", ".html"))], names
        assert any(n.endswith(".so") or n.endswith(".pyd") for n in kernel_files), names
        assert "fastentropy/_kernels/_openmp.pyi" in names
        assert "fastentropy/_kernels/_openmp_helpers.pxd" in names
        assert "fastentropy/py.typed" in names
        (lic,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert b"BSD 3-Clause" in whl.read(lic)
        (meta,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = whl.read(meta).decode()
        assert "License-Expression: BSD-3-Clause AND CC-BY-4.0" in metadata
        data_licence = ".dist-info/licenses/fastentropy/data/LICENSE-DATA.md"
        assert [n for n in names if n.endswith(data_licence)]
        assert "Requires-Dist: numpy" in metadata and "Requires-Dist: scipy" in metadata
        (so_name,) = [n for n in kernel_files if "_openmp" in n and n.endswith((".so", ".pyd"))]
        so = tmp_path / "openmp_from_wheel.so"
        so.write_bytes(whl.read(so_name))
    assert not _has_debug_info(so), "the wheel's .so carries debug info"

    with tarfile.open(tmp_path / "dist" / sdist_name) as sd:
        members = [m.split("/", 1)[1] for m in sd.getnames() if "/" in m]
    assert "LICENSE" in members and "MANIFEST.in" in members
    assert not [m for m in members if m.startswith("fastentropy/_kernels/") and m.endswith(".c")]
    sources = [*KERNELS.glob("*.pyx"), *KERNELS.glob("*.pxd")]
    assert sources
    for path in sources:  # every Cython source and header, so the sdist can build
        assert f"fastentropy/_kernels/{path.name}" in members, path.name
