#!/usr/bin/env bash
# Integration test against a real SLURM: installs Debian's SLURM and munge if missing, starts a
# one-node cluster on localhost (munged, slurmctld, slurmd, each with its own pid file), submits
# a sharded baseline experiment with jobs/slurm/submit.sh, waits for the merge, and checks the
# merged file is bit-identical to a single-process run. Stops only the daemons it started.
#   tests/slurm/slurm_integration.sh BUILD_DIR
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$(realpath "${1:?usage: slurm_integration.sh BUILD_DIR}")/engine/deterrence"
PY=/usr/bin/python3
SUDO=""; AS_MUNGE="runuser -u munge --"
[ "$(id -u)" -eq 0 ] || { SUDO="sudo"; AS_MUNGE="sudo -u munge"; }

need=()
for p in slurmctld slurmd slurm-client munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  echo "[slurm-test] installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

WORK="$(mktemp -d /tmp/deterrence-slurm-XXXXXX)"
chmod 755 "$WORK"
started=()  # pid files of the daemons this script started
cleanup() {
  local status=$?
  for pidfile in "${started[@]}"; do
    [ -f "$pidfile" ] && $SUDO kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  sleep 1
  for pidfile in "${started[@]}"; do
    [ -f "$pidfile" ] && $SUDO kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  done
  if [ $status -ne 0 ]; then
    echo "[slurm-test] FAILED; logs:"
    tail -n 20 "$WORK"/*.log "$WORK"/munge/*.log "$WORK"/exp/*.slurm/logs/* 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT

# munge: reuse a running munged, else start one with its own pid file.
if ! munge -n </dev/null >/dev/null 2>&1; then
  if [ ! -s /etc/munge/munge.key ]; then
    $SUDO mungekey -c -k /etc/munge/munge.key 2>/dev/null || $SUDO dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  $SUDO chown munge:munge /etc/munge/munge.key && $SUDO chmod 400 /etc/munge/munge.key
  $SUDO mkdir -p /run/munge /var/log/munge /var/lib/munge && $SUDO chown munge:munge /run/munge /var/log/munge /var/lib/munge
  mkdir -p "$WORK/munge" && $SUDO chown munge:munge "$WORK/munge"
  $AS_MUNGE /usr/sbin/munged --pid-file="$WORK/munge/munged.pid" --log-file="$WORK/munge/munged.log" --force
  started+=("$WORK/munge/munged.pid")
  for _ in $(seq 50); do munge -n </dev/null >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n </dev/null | unmunge >/dev/null

# A one-node cluster; ports off the defaults so a site's own SLURM is never touched.
NODE="$(hostname -s)"
mkdir -p "$WORK/state" "$WORK/spool"
export SLURM_CONF="$WORK/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=deterrence-test
SlurmctldHost=$NODE
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
MpiDefault=none
NodeName=$NODE CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CONF
$SUDO /usr/sbin/slurmctld -f "$SLURM_CONF"
started+=("$WORK/slurmctld.pid")
$SUDO /usr/sbin/slurmd -f "$SLURM_CONF"
started+=("$WORK/slurmd.pid")
for _ in $(seq 100); do
  sinfo -h -N -o "%T" 2>/dev/null | grep -q "^idle" && break
  sleep 0.2
done
sinfo -h -N -o "%N %T" | grep -q idle || { echo "[slurm-test] node never became idle"; exit 1; }
echo "[slurm-test] cluster up: $(sinfo -h -N -o '%N %T %c CPUs')"

# The experiment: the baseline game with per-draw outcome records, 3 shards.
mkdir -p "$WORK/exp"
cp -r "$ROOT/configs/data" "$WORK/exp/data"
sed 's/outcomes: false/outcomes: true /' "$ROOT/configs/baseline.yaml" > "$WORK/exp/baseline.yaml"
"$BIN" run "$WORK/exp/baseline.yaml" --draws 3000 --quiet --out "$WORK/exp/single.h5"

# Waits (at most 5 minutes) until the array and merge jobs named in a submit.sh jobs file are
# gone from the queue: finished, failed or cancelled.
wait_for_jobs() {
  local array_id merge_id
  read -r array_id merge_id < "$1"
  for _ in $(seq 600); do
    [ -z "$(squeue -h -j "$array_id,$merge_id" 2>/dev/null)" ] && return 0
    sleep 0.5
  done
  echo "[slurm-test] jobs $array_id, $merge_id still queued"; squeue; exit 1
}

cd "$WORK/exp"
DETERRENCE_BIN="$BIN" bash "$ROOT/jobs/slurm/submit.sh" baseline.yaml --shards 3 --out merged.h5 \
  --run-args "--draws 3000 --quiet"
wait_for_jobs merged.h5.slurm/jobs
[ -f merged.h5 ] || { echo "[slurm-test] no merged file"; exit 1; }
for i in 1 2 3; do grep -q "shard $i/3" "merged.h5.slurm/logs/shard-$i.out"; done
grep -q "merged 3 shard file(s)" merged.h5.slurm/logs/merge.out
"$PY" "$ROOT/tests/scripts/same_results.py" single.h5 merged.h5
echo "[slurm-test] merged SLURM array result is bit-identical to the single-process run"

# A failing task: the merge job must not run (it is cancelled), and the log says why.
DETERRENCE_BIN="$BIN" bash "$ROOT/jobs/slurm/submit.sh" baseline.yaml --shards 2 --out failed.h5 \
  --run-args "--draws 3000 --quiet --seed not-a-number"
wait_for_jobs failed.h5.slurm/jobs
[ ! -f failed.h5 ] || { echo "[slurm-test] merged despite failed shards"; exit 1; }
grep -q "shard 1/2\] FAILED with exit code 2" failed.h5.slurm/logs/shard-1.out
[ ! -s failed.h5.slurm/logs/merge.out ] || { echo "[slurm-test] the merge job ran"; exit 1; }
echo "[slurm-test] a failed shard stops the merge; its log says why"
