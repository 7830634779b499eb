#!/bin/sh
# deploy/: no cluster here, so what can be tested is: the manifests parse
# (python3-yaml) and say what an Indexed Job needs; their command lines
# are run for real, by the pods' count and with the environment the Job
# gives each pod (JOB_COMPLETION_INDEX, GWSTRESS_SHARDS), through
# gwstress's own option parser against gwsim; the merge step's command
# merges what the shards wrote; the Containerfile's runtime packages are
# the ones that provide the built binaries' libraries.
. "$(dirname "$0")/lib.sh"

if ! python3 -c 'import yaml' 2>/dev/null; then
	echo "  skip it_deploy.sh: python3-yaml is not installed"
	exit 0
fi

# The manifests as shell assignments: N, IMAGE_ARGS (one per line), the
# merge command, the workload; every structural rule checked on the way.
python3 - deploy/k8s/gwstress.yaml deploy/k8s/gwstress-merge.yaml \
	>"$T/plan.sh" 2>"$T/plan.err" <<'EOF'
import shlex, sys, yaml

def die(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)

docs = [d for f in sys.argv[1:] for d in yaml.safe_load_all(open(f)) if d]
kinds = {}
for d in docs:
    kinds.setdefault(d["kind"], []).append(d)
jobs = {j["metadata"]["name"]: j for j in kinds.get("Job", [])}
job, merge = jobs.get("gwstress"), jobs.get("gwstress-merge")
if not job or not merge:
    die("jobs gwstress and gwstress-merge expected, got %s" % list(jobs))
spec = job["spec"]
if spec.get("completionMode") != "Indexed":
    die("gwstress: completionMode is not Indexed")
c = spec["template"]["spec"]["containers"][0]
env = {e["name"]: e.get("value") for e in c.get("env", [])}
n = int(env.get("GWSTRESS_SHARDS", "0"))
if not (spec.get("completions") == spec.get("parallelism") == n and n > 0):
    die("completions %s, parallelism %s and GWSTRESS_SHARDS %s differ"
        % (spec.get("completions"), spec.get("parallelism"), n))
if spec["template"]["spec"].get("restartPolicy") != "Never":
    die("a shard pod must not restart (its report would be lost)")
vols = {v["name"]: v for v in spec["template"]["spec"]["volumes"]}
mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
cm = vols["workload"]["configMap"]["name"]
cms = {m["metadata"]["name"]: m for m in kinds.get("ConfigMap", [])}
if cm not in cms:
    die("the workload ConfigMap %s is not defined" % cm)
mc = merge["spec"]["template"]["spec"]["containers"][0]
mmounts = {m["name"]: m["mountPath"] for m in mc["volumeMounts"]}
if mmounts.get("reports") != mounts.get("reports"):
    die("the merge pod mounts the reports elsewhere")
mclaim = merge["spec"]["template"]["spec"]["volumes"][0]
if mclaim["persistentVolumeClaim"]["claimName"] != \
        vols["reports"]["persistentVolumeClaim"]["claimName"]:
    die("the merge pod reads another volume")
print("N=%d" % n)
print("ARGS=%s" % shlex.quote("\n".join(c["args"])))
print("MERGE=%s" % shlex.quote(" ".join(mc["args"])))
print("REPORTS=%s" % shlex.quote(mounts["reports"]))
print("WORKDIR=%s" % shlex.quote(mounts["workload"]))
print("WORKLOAD=%s" % shlex.quote(cms[cm]["data"]["workload.ini"]))
EOF
check "manifests: parsed, Indexed, counts agree ($(cat "$T/plan.err"))" [ -s "$T/plan.sh" ]
[ -s "$T/plan.sh" ] || finish
. "$T/plan.sh"

# the ConfigMap's workload, its stages shortened for a test
printf '%s\n' "$WORKLOAD" | sed -e 's/^stage = [0-9]*s [0-9]*/stage = 2s 30/' \
	-e 's/^probe_rate = .*/probe_rate = 2/' -e 's/window 300s/window 30s/' \
	>"$T/workload.ini"
start_sim --agents OrchestratorAgent,TestAgent --first-delay-ms 500

echo "== the Job's $N pods, each with its JOB_COMPLETION_INDEX"
i=0
pids=""
while [ $i -lt "$N" ]; do
	# Kubernetes expands $(JOB_COMPLETION_INDEX) in args; the Service URL
	# and the mounts are this host's
	printf '%s\n' "$ARGS" | sed -e "s|\$(JOB_COMPLETION_INDEX)|$i|" \
		-e "s|^http://[a-z0-9-]*:8000\$|$SIM_URL|" \
		-e "s|^$WORKDIR/workload.ini\$|$T/workload.ini|" \
		-e "s|^$REPORTS/|$T/reports/|" >"$T/args$i"
	(
		export JOB_COMPLETION_INDEX=$i GWSTRESS_SHARDS=$N
		# one argument per line, as the manifest lists them
		set --
		while IFS= read -r a; do set -- "$@" "$a"; done <"$T/args$i"
		exec timeout 120 "$GWSTRESS" "$@" -q
	) >"$T/pod$i.out" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
rcs=""
for p in $pids; do wait "$p"; rcs="$rcs$?"; done
check "pods: every one exited 0 ($rcs)" [ -z "$(printf '%s' "$rcs" | tr -d 0)" ]
check "pods: each wrote its report" \
	[ "$(ls "$T"/reports/*/load_report_*.json 2>/dev/null | wc -l)" -eq "$N" ]

echo "== the merge step's command"
cmd=$(printf '%s' "$MERGE" | sed -e "s|$REPORTS/|$T/reports/|g" \
	-e "s|^exec gwstress |exec \"$GWSTRESS\" |")
sh -c "$cmd" >"$T/merge.out" 2>&1
rc=$?
check "merge: exit 0 (rc=$rc)" [ "$rc" -eq 0 ]
check "merge: every shard in it" \
	[ "$(jget "$T/reports/merged.json" .merge.shards_count)" -eq "$N" ]
check "merge: thresholds made again on the merged data" \
	jtrue '[.verdict.checks[] | .note | startswith("made again")] | all' \
	"$T/reports/merged.json"

echo "== Containerfile: the runtime packages provide the libraries"
pkgs=$(sed -n '/^FROM debian:12-slim$/,$p' deploy/Containerfile | tr -d '\\' |
	tr ' \t' '\n\n' | grep -E '^lib[a-z0-9.+-]+$')
for bin in "$GWSTRESS" "$GWSIM"; do
	for lib in $(ldd "$bin" | awk '/=>/ {print $1}' |
		grep -E 'libcurl|libjansson|libinih|libmicrohttpd'); do
		path=$(ldd "$bin" | awk -v l="$lib" '$1 == l {print $3}')
		# usrmerge: dpkg knows the file under /usr/lib
		path=$(readlink -f "$path")
		pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "/usr$path" 2>/dev/null)
		pkg=$(printf '%s\n' "$pkg" | head -1 | cut -d: -f1)
		check "Containerfile installs $pkg (for $lib of ${bin##*/})" \
			sh -c "printf '%s\n' \"$pkgs\" | grep -qx \"$pkg\""
	done
done

stop_sim "$SIM_PID"
finish
