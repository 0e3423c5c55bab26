"""The API contract, checked the way an outside prober does: schemathesis with every check against gunicorn.

    python bench/contract.py          # starts gunicorn from the Procfile, runs schemathesis, records the result

Runs `schemathesis run --checks all <base>/api/v1/openapi.json` (all phases: examples, coverage, fuzzing,
stateful) and records the command, the number of test cases and of failures in bench/results.json
(`schemathesis`) and bench/RESULTS.md. The probe comes from one address, so the per-client budget is raised for
the run (429 is documented in the OpenAPI document all the same).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main() -> int:
    from bench.load_downloads import write_markdown
    from tests.integration.servers import ProcfileServer

    env = {"OMUP_RATE_LIMIT": "10000000 per minute", "OMUP_CACHE_URL": ""}
    with ProcfileServer(env=env) as g:
        command = ["schemathesis", "run", "--checks", "all", f"{g.base}/api/v1/openapi.json"]
        began = time.time()
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
        gunicorn = " ".join(a for a in g.args[3:] if not a.startswith("127.0.0.1"))
    out = done.stdout + done.stderr
    print(out[-3000:])
    cases = re.search(r"(\d+) generated", out)
    failures = re.search(r"(\d+) failures? in", out)
    result = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": "schemathesis run --checks all http://127.0.0.1:<port>/api/v1/openapi.json",
        "server": f"gunicorn {gunicorn} (Procfile), OMUP_RATE_LIMIT raised",
        "exit_code": done.returncode,
        "cases": int(cases.group(1)) if cases else None,
        "failures": int(failures.group(1)) if failures else (0 if "No issues found" in out else None),
        "seconds": round(time.time() - began, 1),
        "summary": out[out.rfind("Test cases:"):].strip()[:400] if "Test cases:" in out else out[-400:],
    }
    path = HERE / "results.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data["schemathesis"] = result
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    write_markdown(data)
    return 0 if done.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
