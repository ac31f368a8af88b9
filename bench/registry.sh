# Sourced by the bench scripts: start_registry DIR starts Debian's docker-registry on a free
# loopback port with its storage in DIR/registry, waits until it listens, and sets $port and
# $reg_pid (the caller stops it by that PID).
start_registry() {
  local dir=$1
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat > "$dir/registry.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/registry
http:
  addr: 127.0.0.1:$port
  secret: bench
YML
  docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 &
  reg_pid=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && return 0; sleep 0.1; done
  echo "bench: docker-registry did not start (see $dir/registry.log)" >&2
  return 1
}
