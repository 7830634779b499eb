#!/bin/sh
# make check-stress: the whole scenario catalogue against the bundled
# gateway, at the scale STRESS_SCALE names (default smoke).  Only here, for
# CI, the soak scenarios are shortened (--soak-duration, default 30 s;
# override with STRESS_CI_SOAK_DURATION) and the shortening is printed.
# loopback only: no proxy of the host may see (or swallow) this traffic
unset http_proxy https_proxy HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY='*' no_proxy='*'
set -u
cd "$(dirname "$0")/.." || exit 1
scale=${STRESS_SCALE:-smoke}
soak=${STRESS_CI_SOAK_DURATION:-30}
echo "check-stress: profile '$scale', soak scenarios shortened to ${soak}s" \
	"for CI (--soak-duration $soak)"
exec "${GWSTRESS:-./gwstress}" --scale "$scale" --soak-duration "$soak" \
	--report-dir reports/check-stress
