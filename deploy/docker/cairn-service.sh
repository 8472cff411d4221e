#!/bin/sh
# The image's entry point: `cairn-service <gateway|rules|invalidation|demo-origin> [args…]`
# runs that service in the foreground (tini, PID 1, forwards signals to it); any other
# command runs as given (`docker run -it cairn sh`, `docker run --rm cairn cairn rules ls`).
set -e
case "${1:-gateway}" in
  gateway | rules | invalidation | demo-origin)
    service="${1:-gateway}"
    [ "$#" -gt 0 ] && shift
    exec node "/app/services/$service/dist/main.js" "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
