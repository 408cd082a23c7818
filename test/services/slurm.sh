#!/usr/bin/env bash
# A single-node Slurm 22.05 cluster on 127.0.0.1 for integration tests (Debian's slurm-wlm + munge).
#   slurm.sh up STATE_DIR    start munged (if none runs), slurmctld and slurmd; writes STATE_DIR/slurm/slurm.env
#   slurm.sh down STATE_DIR  stop what `up` started, by the pids it recorded
# Finished jobs stay visible to squeue for MIN_JOB_AGE seconds (default 600), then only in the job
# completion log (jobcomp/filetxt), which is what history queries read.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

cmd=${1:?usage: slurm.sh up|down STATE_DIR}
state=${2:?usage: slurm.sh up|down STATE_DIR}
dir="$state/slurm"

if [ "$cmd" = down ]; then
  stop_pid_file "$dir/slurmd.pid"
  stop_pid_file "$dir/slurmctld.pid"
  # The munged we started may serve another run's Slurm (its `up` found ours answering): hand it
  # to that run, which stops it when it comes down, instead of pulling it from under its jobs.
  if [ -s "$dir/munged.pid.ours" ]; then
    heir=$(pgrep -a -x slurmctld | sed -n 's/.* -f \(.*\)\/slurm\.conf$/\1/p' | grep -vxF "$dir" | head -n 1 || true)
    if [ -n "$heir" ] && [ -d "$heir" ]; then
      mv "$dir/munged.pid.ours" "$heir/munged.pid.ours"
    else
      stop_pid_file "$dir/munged.pid.ours"
    fi
  fi
  exit 0
fi
[ "$cmd" = up ] || { echo "usage: slurm.sh up|down STATE_DIR" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "slurm.sh must run as root (slurmd manages jobs of other users)" >&2; exit 1; }

require_packages slurm-wlm munge
mkdir -p "$dir/state" "$dir/spool"
chmod 755 "$state" "$dir"

# munge: slurmdbd ignores a custom socket, so use the default one; start munged only if none answers.
[ -f /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
chown munge:munge /etc/munge/munge.key && chmod 600 /etc/munge/munge.key
install -d -o munge -g munge -m 755 /run/munge /var/log/munge /var/lib/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 1 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
  cp /run/munge/munged.pid "$dir/munged.pid.ours"
fi
munge -n | unmunge >/dev/null

node=$(hostname -s)
ctld_port=$(free_port)
slurmd_port=$(free_port)
cat > "$dir/slurm.conf" <<EOC
ClusterName=pomstest
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=2
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
MinJobAge=${MIN_JOB_AGE:-600}
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOC
chmod 644 "$dir/slurm.conf"
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
ready=no
for _ in $(seq 1 60); do
  if [ "$(sinfo -h -o %T 2>/dev/null)" = idle ]; then ready=yes; break; fi
  sleep 1
done
[ "$ready" = yes ] || { echo "slurm did not become idle; see $dir/slurmctld.log and $dir/slurmd.log" >&2; exit 1; }

cat > "$dir/slurm.env" <<EOE
SLURM_CONF=$dir/slurm.conf
SLURM_JOBCOMP=$dir/jobcomp.txt
SLURM_NODE=$node
EOE
echo "slurm ready: node $node, slurmctld pid $(cat "$dir/slurmctld.pid"), slurmd pid $(cat "$dir/slurmd.pid")"
