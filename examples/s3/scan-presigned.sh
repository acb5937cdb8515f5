#!/bin/sh
# Scan an object in S3 or MinIO without making the bucket public: vtg fetches the presigned link
# itself (SSRF-guarded; the query string, which carries the signature, is never printed or logged),
# hashes the file, looks it up and descends into archives. It runs with this machine's vtg config
# (VT_API_KEY, or the simulator without one); a bucket on a private address needs
# VTG_FETCH_ALLOWLIST=<host>.
#
#   ./scan-presigned.sh s3://bucket/drop.zip             # aws CLI, link valid 15 minutes
#   ./scan-presigned.sh minio/bucket/drop.zip            # a MinIO alias (mc)
#   ./scan-presigned.sh 'https://bucket.s3.amazonaws.com/drop.zip?X-Amz-Signature=...' --json
#
# Exit codes are vtg's: 0 clean, 1 malicious (--fail-on met), 2 usage or refused fetch, 3 upstream.
set -eu
if [ "$#" -lt 1 ]; then
  echo "usage: $0 s3://bucket/key | alias/bucket/key | presigned-url [vtg scan fetch flags...]" >&2
  exit 2
fi
target=$1
shift
case "$target" in
  http://* | https://*) url=$target ;;
  s3://*) url=$(aws s3 presign "$target" --expires-in 900) ;;
  *) url=$(mc share download --expire 15m --json "$target" | sed -n 's/.*"share": *"\([^"]*\)".*/\1/p') ;;
esac
exec vtg scan fetch "$url" --fail-on malicious "$@"
