"""The command-line loop that jose_interop.py and jwt_interop.py share.

Each script defines check_case(case), which yields (name, passed, detail)
for each check of one case, and calls run(check_case) when run as a program.
"""
import json
import sys


def run(check_case):
    """Run check_case on each case of the JSON array named by the first argument.

    Prints "ALG NAME: ok" or "ALG NAME: FAILED DETAIL" for each check, and
    "ALG: FAILED ERROR" when a library raises. Exits with status 1 if any
    check failed, else 0.
    """
    with open(sys.argv[1]) as handle:
        cases = json.load(handle)
    failures = 0
    for case in cases:
        try:
            for name, passed, detail in check_case(case):
                print(f"{case['alg']} {name}: {'ok' if passed else 'FAILED ' + detail}")
                failures += 0 if passed else 1
        except Exception as error:  # Any exception from a library is a failed check.
            print(f"{case['alg']}: FAILED {type(error).__name__}: {error}")
            failures += 1
    sys.exit(1 if failures else 0)
