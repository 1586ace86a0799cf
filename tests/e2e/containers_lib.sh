# Sourced by the container-mode e2e scripts (container_test.sh,
# container_nginx_test.sh): the daemon check and what a faultbox run left in
# Docker and in the temp folder. Needs fail/pass from the sourcing script.

# Fails the script (exit 1, never a skip) when no Docker daemon answers.
require_docker_daemon() {
  local sock="${DOCKER_HOST:-unix:///var/run/docker.sock}"
  sock="${sock#unix://}"
  if ! curl -sf --max-time 5 --unix-socket "$sock" http://x/_ping >/dev/null 2>&1; then
    fail "no Docker daemon answers at $sock (./run.sh test starts one)"
    exit 1
  fi
}

# Objects of faultbox runs whose owner is faultbox pid $1 (label faultbox.owner=<pid>:<start>).
owned_containers() { docker ps -a --filter "label=faultbox.owner" --format '{{.ID}} {{.Label "faultbox.owner"}}' | awk -v p="$1" '$2 ~ "^"p":" {print $1}'; }
owned_networks() { docker network ls --filter "label=faultbox.owner" --format '{{.ID}} {{.Label "faultbox.owner"}}' | awk -v p="$1" '$2 ~ "^"p":" {print $1}'; }
shim_dirs() { ls -d "${TMPDIR:-/tmp}/faultbox-shim-$1-"* 2>/dev/null; }
all_owned() { echo "$(owned_containers "$1")$(owned_networks "$1")$(shim_dirs "$1")"; }
nothing_left() {  # FAULTBOX_PID WHAT
  local left
  left="$(all_owned "$1")"
  [[ -z "$left" ]] && pass "$2: no container, network or shim folder left" || fail "$2: left behind: $left"
}
