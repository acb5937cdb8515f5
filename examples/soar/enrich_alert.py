#!/usr/bin/env python3
"""SOAR-style enrichment through vt-gateway's VirusTotal-compatible /api/v3, with vt-py.

vt-py talks to vt-gateway exactly as it talks to VirusTotal: the gateway token goes where the VT key
would (X-Apikey), the gateway's URL replaces www.virustotal.com. The VT key stays on the gateway,
and every lookup shares its cache and quota with everyone else.

    pip install vt-py
    export VTG_SERVER=http://127.0.0.1:8290 VTG_TOKEN=...   # vtg token create soar --role analyst
    python3 enrich_alert.py alert.json            # the command a user runs
    echo '{"indicators": ["44d88612fea8a8f36de82e1278abb02f", "hxxp://evil[.]example/x"]}' | python3 enrich_alert.py -

Prints one JSON line per indicator (verdict, detections, threat label, permalink) and exits 1 when
any indicator is malicious, so a playbook can branch on the exit status.
"""
import base64
import json
import os
import sys

import vt  # vt-py


def refang(value: str) -> str:
    return value.replace("hxxp", "http").replace("[.]", ".").replace("(.)", ".").replace("[:]", ":").strip()


def object_path(indicator: str) -> str:
    value = refang(indicator)
    if value.startswith(("http://", "https://")):
        url_id = base64.urlsafe_b64encode(value.encode()).decode().strip("=")
        return f"/urls/{url_id}"
    if all(c in "0123456789abcdefABCDEF" for c in value) and len(value) in (32, 40, 64):
        return f"/files/{value.lower()}"
    if value.replace(".", "").isdigit() or ":" in value:
        return f"/ip_addresses/{value}"
    return f"/domains/{value.lower()}"


def main() -> int:
    source = sys.argv[1] if len(sys.argv) > 1 else "-"
    alert = json.load(sys.stdin if source == "-" else open(source, encoding="utf-8"))
    server = os.environ.get("VTG_SERVER", "http://127.0.0.1:8290").rstrip("/")
    token = os.environ["VTG_TOKEN"]
    malicious = False
    with vt.Client(token, host=server) as client:
        for indicator in alert.get("indicators", []):
            path = object_path(indicator)
            try:
                obj = client.get_object(path)
            except vt.error.APIError as err:
                print(json.dumps({"indicator": indicator, "error": err.code, "message": err.message}))
                continue
            stats = obj.get("last_analysis_stats") or {}
            label = (obj.get("popular_threat_classification") or {}).get("suggested_threat_label")
            kind = path.split("/")[1]
            gui = {"files": "file", "urls": "url", "domains": "domain", "ip_addresses": "ip-address"}[kind]
            verdict = "malicious" if stats.get("malicious", 0) > 0 else "suspicious" if stats.get("suspicious", 0) > 0 else "clean"
            malicious = malicious or verdict == "malicious"
            print(json.dumps({
                "indicator": indicator,
                "verdict": verdict,
                "detections": stats.get("malicious", 0),
                "engines": sum(stats.get(k, 0) for k in ("malicious", "suspicious", "harmless", "undetected")),
                "threat_label": label,
                "permalink": f"https://www.virustotal.com/gui/{gui}/{obj.id}",
            }))
    return 1 if malicious else 0


if __name__ == "__main__":
    sys.exit(main())
