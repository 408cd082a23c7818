# Shared helpers for the test service scripts. Source it; it defines functions only.
# Every service keeps its files in its own state directory, records the pids it starts there, and
# stops only those pids (never by process name).

# A free TCP port on 127.0.0.1, chosen by the kernel.
free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Wait until a TCP port on 127.0.0.1 accepts connections (up to $2 seconds, default 20).
wait_for_port() {
  local port=$1 deadline=$(( $(date +%s) + ${2:-20} ))
  until node -e 'const c=require("net").connect(+process.argv[1],"127.0.0.1");c.on("connect",()=>process.exit(0));c.on("error",()=>process.exit(1))' "$port" 2>/dev/null; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# Kill a pid recorded in a file (TERM, then KILL after a grace period) and remove the file.
stop_pid_file() {
  local file=$1 pid
  [ -s "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# Install Debian packages that are missing (as root), or fail with the command to run.
require_packages() {
  local missing=() pkg
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The Debian mirror of this machine's own apt sources: the first deb URI whose suites include the
# release's own suite with the main component (not -security, -updates or third-party repositories).
debian_mirror() {
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || { echo "cannot tell this machine's Debian release" >&2; return 1; }
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk -v suite="$codename" '
      BEGIN { RS=""; FS="\n" }
      {
        types=""; uris=""; suites=""; comps=""; enabled="yes"
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^[ \t]*#/) continue
          split(line, kv, ":[ \t]*")
          key = tolower(kv[1]); sub(/^[^:]*:[ \t]*/, "", line)
          if (key == "types") types = line
          else if (key == "uris") uris = line
          else if (key == "suites") suites = line
          else if (key == "components") comps = line
          else if (key == "enabled") enabled = tolower(line)
        }
        if (enabled == "no" || types !~ /(^|[ \t])deb([ \t]|$)/) next
        n = split(suites, s, /[ \t]+/); hit = 0
        for (j = 1; j <= n; j++) if (s[j] == suite) hit = 1
        if (!hit || comps !~ /(^|[ \t])main([ \t]|$)/) next
        split(uris, u, /[ \t]+/); print u[1]; exit
      }' "$file" | head -n 1 | grep . && return 0
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    awk -v suite="$codename" '$1 == "deb" {
        i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        uri = $i; s = $(i + 1)
        if (s != suite) next
        for (k = i + 2; k <= NF; k++) if ($k == "main") { print uri; exit }
      }' "$file" | head -n 1 | grep . && return 0
  done
  echo "no Debian mirror for ${codename} main in this machine's apt sources" >&2
  return 1
}
