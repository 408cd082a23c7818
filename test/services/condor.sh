#!/usr/bin/env bash
# HTCondor 23 (Debian trixie's package) in a chroot, with its own sshd, on 127.0.0.1, for tests.
#   condor.sh up STATE_DIR    build (once) or reuse the cached chroot, start condor_master and sshd;
#                             writes STATE_DIR/condor/condor.env
#   condor.sh down STATE_DIR  stop what `up` started (by pid) and unmount what it mounted
# The chroot is cached at $POMS_CONDOR_CHROOT (default /var/cache/poms-desktop-tests/condor-trixie)
# and reused. It is never deleted while /proc or /dev are mounted inside it: deleting through a bind
# mount of /dev would destroy the host's device nodes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

cmd=${1:?usage: condor.sh up|down STATE_DIR}
state=${2:?usage: condor.sh up|down STATE_DIR}
dir="$state/condor"
root=${POMS_CONDOR_CHROOT:-/var/cache/poms-desktop-tests/condor-trixie}
user=pomstest

mounted_inside() { findmnt -rn -o TARGET | awk -v r="$root" 'index($0, r "/") == 1 { found = 1 } END { exit !found }'; }

# Processes whose root directory is the chroot: only ever ours (started by this script's daemons).
chroot_pids() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
  done
  return 0
}

if [ "$cmd" = down ]; then
  # Only a run whose `up` claimed the chroot may stop anything in it: another run may be using it.
  [ -f "$dir/claimed" ] || exit 0
  if [ -s "$dir/master.pid" ]; then
    master=$(cat "$dir/master.pid")
    # SIGQUIT: condor_master's fast shutdown; it exits after its daemons have.
    kill -QUIT "$master" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$master" 2>/dev/null || break; sleep 0.2; done
    rm -f "$dir/master.pid"
  fi
  stop_pid_file "$dir/sshd.pid"
  # Jobs or daemons the master left behind in our chroot.
  leftovers=$(chroot_pids)
  if [ -n "$leftovers" ]; then
    kill $leftovers 2>/dev/null || true
    sleep 1
    leftovers=$(chroot_pids)
    [ -n "$leftovers" ] && kill -9 $leftovers 2>/dev/null || true
  fi
  if [ -f "$dir/mounted" ]; then
    while read -r target; do
      for _ in $(seq 1 50); do mountpoint -q "$target" || break; umount "$target" 2>/dev/null && break; sleep 0.2; done
      if mountpoint -q "$target"; then echo "could not unmount $target" >&2; exit 1; fi
    done < <(sort -r "$dir/mounted")
    rm -f "$dir/mounted"
  fi
  rm -f "$dir/claimed"
  [ "$(cat "$root.claim/state" 2>/dev/null)" = "$dir" ] && rm -rf "$root.claim"
  exit 0
fi
[ "$cmd" = up ] || { echo "usage: condor.sh up|down STATE_DIR" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "condor.sh must run as root (chroot, mounts)" >&2; exit 1; }
require_packages debootstrap openssh-client
# One run at a time: claim the chroot atomically (mkdir). A claim whose run left nothing running
# inside the chroot is stale (a run that never came down) and is taken over.
mkdir -p "$(dirname "$root")"
claim="$root.claim"
if ! mkdir "$claim" 2>/dev/null; then
  busy=$(chroot_pids)
  if [ -n "$busy" ]; then
    echo "the HTCondor chroot $root is in use by another test run ($(cat "$claim/state" 2>/dev/null), pids $(echo $busy)); one run at a time" >&2
    exit 1
  fi
  rm -rf "$claim"
  mkdir "$claim"
fi
mkdir -p "$dir"
chmod 755 "$state" "$dir"
echo "$dir" > "$claim/state"
touch "$dir/claimed"

# 1. The chroot, built once. A half-built one (no marker) is rebuilt, but only with nothing mounted.
if [ ! -f "$root/.poms-ready" ]; then
  if [ -d "$root" ]; then
    if mounted_inside; then echo "refusing to rebuild $root: something is mounted inside it" >&2; exit 1; fi
    rm -rf --one-file-system "$root"
  fi
  mkdir -p "$(dirname "$root")"
  mirror=$(debian_mirror)
  echo "building the HTCondor chroot at $root from $mirror (once)"
  debootstrap --variant=minbase trixie "$root" "$mirror" > "$dir/debootstrap.log" 2>&1 || {
    echo "debootstrap failed; see $dir/debootstrap.log" >&2; exit 1; }
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d" && chmod +x "$root/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc"
  trap 'umount "$root/proc" 2>/dev/null || true' EXIT
  chroot "$root" bash -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends condor openssh-server python3 procps >/dev/null' \
    > "$dir/apt.log" 2>&1 || { echo "installing condor in the chroot failed; see $dir/apt.log" >&2; exit 1; }
  umount "$root/proc"
  trap - EXIT
  touch "$root/.poms-ready"
fi

# 2. Mounts (recorded, so `down` unmounts exactly these).
: > "$dir/mounted"
if ! mountpoint -q "$root/proc"; then mount -t proc proc "$root/proc"; echo "$root/proc" >> "$dir/mounted"; fi
if ! mountpoint -q "$root/dev"; then mount --bind /dev "$root/dev"; echo "$root/dev" >> "$dir/mounted"; fi

# 3. HTCondor on its own port, all roles on one node.
port=$(free_port)
cat > "$root/etc/condor/config.d/99-poms-test.config" <<EOC
CONDOR_HOST = 127.0.0.1
COLLECTOR_HOST = 127.0.0.1:$port
SHARED_PORT_PORT = $port
NETWORK_INTERFACE = 127.0.0.1
use ROLE : CentralManager
use ROLE : Submit
use ROLE : Execute
SCHEDD_INTERVAL = 2
NEGOTIATOR_INTERVAL = 2
NEGOTIATOR_CYCLE_DELAY = 2
UPDATE_INTERVAL = 2
STARTER_UPDATE_INTERVAL = 2
SHADOW_QUEUE_UPDATE_INTERVAL = 2
START = TRUE
SUSPEND = FALSE
PREEMPT = FALSE
KILL = FALSE
MOUNT_UNDER_SCRATCH =
USE_PID_NAMESPACES = false
NUM_CPUS = 4
EOC
chroot "$root" bash -c "install -d -o condor -g condor /run/condor /var/log/condor /var/lock/condor
  id $user >/dev/null 2>&1 || useradd -m -s /bin/bash $user
  usermod -p '*' $user"
# 3a. The jobsub_lite emulator (test/emulators/jobsub_lite/README.md), installed afresh on every up:
#     jobsub_* and a fake htgettoken in /opt/jobsub_lite/bin, linked into /usr/local/bin (on the PATH
#     of non-interactive ssh sessions); its knob directory /etc/jobsub-emulator, reset to defaults and
#     writable by the test user; and the slot attributes jobsub_lite's default requirements test.
emu="$here/../emulators/jobsub_lite"
rm -rf "$root/opt/jobsub_lite" "$root/etc/jobsub-emulator"
install -d -m 755 "$root/opt/jobsub_lite/bin" "$root/opt/jobsub_lite/lib"
install -m 755 "$emu"/bin/* "$root/opt/jobsub_lite/bin/"
install -m 644 "$emu/lib/jobsub_emulator.py" "$root/opt/jobsub_lite/lib/"
for f in "$emu"/bin/*; do ln -sfn "/opt/jobsub_lite/bin/${f##*/}" "$root/usr/local/bin/${f##*/}"; done
chroot "$root" install -d -m 775 -o root -g "$user" /etc/jobsub-emulator
install -m 644 "$emu/etc/schedds" "$emu/etc/site.env" "$root/etc/jobsub-emulator/"
install -m 644 "$emu/etc/98-jobsub-emulator.config" "$root/etc/condor/config.d/"
chroot "$root" /usr/sbin/condor_master -pidfile /var/run/condor/poms-master.pid
for _ in $(seq 1 50); do [ -s "$root/run/condor/poms-master.pid" ] && break; sleep 0.1; done
cp "$root/run/condor/poms-master.pid" "$dir/master.pid"
ready=no
for _ in $(seq 1 90); do
  if chroot "$root" condor_status -af Name 2>/dev/null | grep -q slot; then ready=yes; break; fi
  sleep 1
done
[ "$ready" = yes ] || { echo "HTCondor did not advertise a slot; see $root/var/log/condor/" >&2; exit 1; }

# 4. sshd inside the chroot, logging in the test user with a fresh key pair.
[ -f "$dir/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C poms-test-client -f "$dir/client_ed25519"
mkdir -p "$root/etc/ssh/poms-test"
[ -f "$root/etc/ssh/poms-test/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C poms-condor-host -f "$root/etc/ssh/poms-test/host_ed25519"
ssh_port=$(free_port)
cat > "$root/etc/ssh/poms-test/sshd_config" <<EOC
Port $ssh_port
ListenAddress 127.0.0.1
HostKey /etc/ssh/poms-test/host_ed25519
PidFile /etc/ssh/poms-test/sshd.pid
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
MaxSessions 10
MaxStartups 50:30:100
Subsystem sftp internal-sftp
EOC
chroot "$root" bash -c "mkdir -p /run/sshd; install -d -m 700 -o $user -g $user /home/$user/.ssh"
install -m 600 "$dir/client_ed25519.pub" "$root/home/$user/.ssh/authorized_keys"
chroot "$root" chown "$user:$user" "/home/$user/.ssh/authorized_keys"
rm -f "$root/etc/ssh/poms-test/sshd.pid"
chroot "$root" /usr/sbin/sshd -f /etc/ssh/poms-test/sshd_config -E /etc/ssh/poms-test/sshd.log
for _ in $(seq 1 50); do [ -s "$root/etc/ssh/poms-test/sshd.pid" ] && break; sleep 0.1; done
cp "$root/etc/ssh/poms-test/sshd.pid" "$dir/sshd.pid"
wait_for_port "$ssh_port" 10 || { echo "the chroot's sshd did not start" >&2; exit 1; }

cat > "$dir/condor.env" <<EOE
CONDOR_ROOT=$root
CONDOR_SSH_HOST=127.0.0.1
CONDOR_SSH_PORT=$ssh_port
CONDOR_SSH_USER=$user
CONDOR_SSH_KEY=$dir/client_ed25519
CONDOR_SSH_HOST_KEY_PUB=$root/etc/ssh/poms-test/host_ed25519.pub
CONDOR_COLLECTOR_PORT=$port
CONDOR_SSHD_PID_FILE=$dir/sshd.pid
CONDOR_SSHD_CONFIG=/etc/ssh/poms-test/sshd_config
EOE
echo "HTCondor ready in $root: collector 127.0.0.1:$port, sshd 127.0.0.1:$ssh_port"
