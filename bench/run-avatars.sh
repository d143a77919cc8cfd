#!/usr/bin/env bash
# Avatar throughput (uploads/s against the raw AvatarImageProcessor rate) is now scenario "upload"
# of the benchmark: see bench/README-avatars.md and BENCHMARKS.md.
exec "$(dirname "$0")/run.sh" upload "$@"
