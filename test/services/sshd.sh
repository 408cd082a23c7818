#!/usr/bin/env bash
# An OpenSSH server on 127.0.0.1 for integration tests.
#   sshd.sh up STATE_DIR    start it; writes STATE_DIR/sshd.env (PORT, USER, HOME, keys, PID_FILE)
#   sshd.sh down STATE_DIR  stop the sshd recorded in STATE_DIR (by pid), nothing else
# As root it logs in a dedicated user (pomstest); otherwise it runs as, and logs in, the caller.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

cmd=${1:?usage: sshd.sh up|down STATE_DIR}
state=${2:?usage: sshd.sh up|down STATE_DIR}
dir="$state/sshd"

if [ "$cmd" = down ]; then
  stop_pid_file "$dir/sshd.pid"
  exit 0
fi
[ "$cmd" = up ] || { echo "usage: sshd.sh up|down STATE_DIR" >&2; exit 2; }

require_packages openssh-server
mkdir -p "$dir"
chmod 755 "$state" "$dir"
[ -f "$dir/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C poms-test-host -f "$dir/host_ed25519"
[ -f "$dir/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C poms-test-client -f "$dir/client_ed25519"

if [ "$(id -u)" -eq 0 ]; then
  user=pomstest
  id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
  usermod -p '*' "$user"   # useradd leaves the account locked ('!'), and sshd refuses locked accounts
  home=$(getent passwd "$user" | cut -d: -f6)
  mkdir -p /run/sshd && chmod 755 /run/sshd
else
  user=$(id -un)
  home=$HOME
fi
install -d -m 700 "$home/.ssh"
keys="$home/.ssh/authorized_keys"
touch "$keys"
grep -qF "$(cat "$dir/client_ed25519.pub")" "$keys" || cat "$dir/client_ed25519.pub" >> "$keys"
chmod 600 "$keys"
[ "$(id -u)" -eq 0 ] && chown -R "$user:$user" "$home/.ssh"

port=$(free_port)
cat > "$dir/sshd_config" <<EOC
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile .ssh/authorized_keys
UsePAM no
StrictModes no
MaxSessions 10
MaxStartups 50:30:100
Subsystem sftp internal-sftp
EOC
/usr/sbin/sshd -t -f "$dir/sshd_config"
/usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
for _ in $(seq 1 50); do [ -s "$dir/sshd.pid" ] && break; sleep 0.1; done
wait_for_port "$port" 10 || { echo "sshd did not start; see $dir/sshd.log" >&2; exit 1; }

cat > "$dir/sshd.env" <<EOE
SSHD_HOST=127.0.0.1
SSHD_PORT=$port
SSHD_USER=$user
SSHD_HOME=$home
SSHD_CLIENT_KEY=$dir/client_ed25519
SSHD_HOST_KEY_PUB=$dir/host_ed25519.pub
SSHD_PID_FILE=$dir/sshd.pid
SSHD_CONFIG=$dir/sshd_config
EOE
echo "sshd listening on 127.0.0.1:$port for $user (pid $(cat "$dir/sshd.pid"))"
