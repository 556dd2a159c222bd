"""Child process of the fuzz harness: ``python fuzz_child.py <run-config.json>``.

Started by ``fuzz_harness.run_fuzz``; see that module. Not a test module.
"""
import sys

from fuzz_harness import child_main

if __name__ == "__main__":
    child_main(sys.argv[1])
