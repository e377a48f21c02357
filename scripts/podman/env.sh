# Sourced with a folder: `. scripts/podman/env.sh DIR`. Points podman at the
# project's containers.conf and at a storage.conf that keeps images and
# containers under DIR (vfs driver: no overlay or fuse needed), so builds and
# tests never write into /var/lib/containers or the source tree.
podman_dir="${1:?usage: . scripts/podman/env.sh DIR}"
mkdir -p "$podman_dir/root" "$podman_dir/run"
cat > "$podman_dir/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$podman_dir/root"
runroot = "$podman_dir/run"
CONF
export CONTAINERS_CONF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/containers.conf"
export CONTAINERS_STORAGE_CONF="$podman_dir/storage.conf"
