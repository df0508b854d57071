/**
 * The catalogue of coded errors (DESIGN §7). Codes are stable: never renumber, only add.
 * Exit codes: 1 = the build ran and failed, 2 = bad input or configuration, 3 = environment
 * (missing tool), 4 = plugin failure, 130 = interrupted.
 */
export const CODES = {
  // 00xx — general
  FE0001: { title: 'internal error', hint: 'this is a bug in Fester; rerun with --verbose and report it', exit: 70 },
  FE0002: { title: 'interrupted', hint: 'the build was stopped by a signal; no partial output was kept', exit: 130 },
  FE0003: { title: 'file not found', hint: 'check the path', exit: 2 },
  // 01xx — project.yaml
  FE0101: { title: 'malformed YAML', hint: 'fix the YAML syntax at the position shown', exit: 2 },
  FE0102: { title: 'unknown key', hint: 'remove the key or fix its spelling', exit: 2 },
  FE0103: { title: 'invalid value', hint: 'see docs/project-yaml.md for the schema', exit: 2 },
  FE0104: { title: 'source pattern matches no file', hint: 'fix the glob or remove it; globs are relative to `root`', exit: 2 },
  FE0105: { title: 'unknown artifact in link', hint: 'list a library artifact declared in this project', exit: 2 },
  FE0106: { title: 'dependency cycle', hint: 'break the cycle by removing one of the edges shown', exit: 2 },
  FE0107: { title: 'output path escapes the out dir', hint: 'outputs must stay inside <out>/<target>/', exit: 2 },
  FE0108: { title: 'duplicate name', hint: 'artifact names and action ids must be unique in a project', exit: 2 },
  FE0109: { title: 'two actions write the same output', hint: 'give each output exactly one producer', exit: 2 },
  FE0110: { title: 'unknown target', hint: 'use one of the known targets', exit: 2 },
  FE0111: { title: 'unknown action', hint: 'give an action id as shown by `fester build --json` or the journal', exit: 2 },
  // 02xx — festerconfig
  FE0201: { title: 'festerconfig could not be loaded', hint: 'fix the syntax error at the position shown', exit: 2 },
  FE0202: { title: 'invalid festerconfig option', hint: 'see docs/config.md for the options', exit: 2 },
  FE0203: { title: 'invalid plugin', hint: 'a plugin is an object { name: string, apply(compiler) }, made by a factory', exit: 2 },
  FE0204: { title: 'invalid plugin option', hint: 'see the plugin’s documentation for its options', exit: 2 },
  // 03xx — toolchains and environment
  FE0301: { title: 'compiler not found', hint: 'install it: apt-get install gcc (or put it on PATH)', exit: 3 },
  FE0302: { title: 'archiver not found', hint: 'install it: apt-get install binutils', exit: 3 },
  FE0303: { title: 'no toolchain for target', hint: 'install the target’s cross toolchain or configure one in festerconfig.ts', exit: 3 },
  FE0304: { title: 'sysroot missing', hint: 'install the target’s C library (e.g. libc6-dev-arm64-cross) or fix the configured sysroot', exit: 3 },
  FE0305: { title: 'toolchain failed validation', hint: 'fix or reinstall the toolchain, then run `fester toolchain validate`', exit: 3 },
  FE0306: { title: 'cannot run the probe under qemu', hint: 'install qemu-user (apt-get install qemu-user) and the target’s libc', exit: 3 },
  // 04xx — execution
  FE0401: { title: 'action failed', hint: 'fix the error shown above; other actions were stopped (use --keep-going to go on)', exit: 1 },
  FE0402: { title: 'action did not produce a declared output', hint: 'make the command write every path listed in `outputs`', exit: 1 },
  FE0403: { title: 'build failed', hint: 'see the failing actions above', exit: 1 },
  FE0404: { title: 'output does not match the target', hint: 'the toolchain produced code for another machine; check the target’s toolchain configuration', exit: 1 },
  // 05xx — cache
  FE0501: { title: 'cache entry is corrupt', hint: 'it was deleted and the action rebuilt; run `fester cache verify` to check the rest', exit: 1 },
  FE0502: { title: 'cache directory is not usable', hint: 'check $FESTER_CACHE_DIR: it must be a writable directory', exit: 3 },
  FE0503: { title: 'invalid size', hint: 'give bytes or a number with a unit: 512k, 64M, 2G', exit: 2 },
  FE0504: { title: 'unknown cache tier', hint: 'run `fester cache stats` to list the tiers your festerconfig enables', exit: 2 },
  FE0505: { title: 'cache tier is not usable', hint: 'it was bypassed for this build; check that its folder exists, is writable and has room', exit: 3 },
  FE0506: { title: 'corrupt cache entries found', hint: 'they were deleted; the actions that need them will rebuild', exit: 1 },
  FE0507: { title: 'ccache not found', hint: 'install it (apt-get install ccache) or give its path: ccache({ path: \'/usr/bin/ccache\' })', exit: 3 },
  // 052x — network tiers (S3 / MinIO) and `fester cache serve`; a block of their own so concurrent additions to 05xx do not collide
  FE0520: { title: 'S3 endpoint unreachable', hint: 'the build goes on without it (it is retried after the circuit cooldown); check the URL and that the server runs', exit: 3 },
  FE0521: { title: 'S3 credentials rejected', hint: 'the build goes on without that endpoint; fix accessKey/secretKey (or MINIO_ACCESS_KEY / MINIO_SECRET_KEY) for it', exit: 2 },
  FE0522: { title: 'S3 bucket missing', hint: 'the build goes on without that endpoint; create the bucket (mc mb <alias>/<bucket>) or set createBucket: true', exit: 2 },
  FE0523: { title: 'S3 write quorum not met', hint: 'the build succeeded but fewer endpoints than writeQuorum hold this entry; bring the endpoints back (reads repair them)', exit: 1 },
  FE0524: { title: 'single S3 endpoint on a farm of more than 3 nodes', hint: 'list several endpoints (a majority must acknowledge each write) or set redundancy: \'warn\'', exit: 2 },
  FE0525: { title: 'cache server cannot listen', hint: 'choose another --port or --host (is another server using it?)', exit: 3 },
  // 06xx — plugins
  FE0601: { title: 'plugin failed', hint: 'the plugin named above threw; check its options or report it to its author', exit: 4 },
  // 07xx — journal
  FE0701: { title: 'no journal found', hint: 'run `fester build` first; journals live in .fester/sessions/ next to project.yaml', exit: 2 },
  // 08xx — farm: coordinator, agents, leases, security
  FE0801: { title: 'coordinator does not answer', hint: 'check the --farm URL and that `fester coordinator` runs there (and that the port is open)', exit: 3 },
  FE0802: { title: 'farm authentication failed', hint: 'give the farm token (FESTER_FARM_TOKEN or --token) or the certificates `fester farm init` made (--tls <dir>)', exit: 2 },
  FE0803: { title: 'replayed or stale request', hint: 'each request is signed once with a fresh nonce and time; check the clock of the sender', exit: 2 },
  FE0804: { title: 'malformed farm message', hint: 'peer sent something that is not a Fester protocol message; check both run the same Fester version', exit: 2 },
  FE0805: { title: 'farm message too large', hint: 'messages are capped (blobs travel over /cas, not the control channel)', exit: 2 },
  FE0806: { title: 'unknown node', hint: 'list the nodes with `fester node list`', exit: 2 },
  FE0807: { title: 'path escapes the action directory', hint: 'action inputs and outputs must be relative paths inside the project (no `..`, no absolute paths, no symlinks out)', exit: 2 },
  FE0808: { title: 'blob does not match its digest', hint: 'it was refused and fetched again; a repeat points at a faulty network path or disk', exit: 1 },
  FE0809: { title: 'no node can run this action', hint: 'check `fester node list`: targets and toolchain digests, policies (drain), production allow-lists, quarantine', exit: 1 },
  FE0810: { title: 'action can only run on production nodes that do not allow this project', hint: 'add the project to the node\'s --production-allow list or add a non-production node for the target', exit: 1 },
  FE0811: { title: 'toolchain not on this node', hint: 'the agent runs only actions whose toolchain digest it verified; install the same toolchain there', exit: 1 },
  FE0812: { title: 'lost the coordinator during the build', hint: 'restart `fester coordinator` and run the build again: completed actions come from the cache', exit: 3 },
  FE0813: { title: 'invalid node policy', hint: 'use one of: preferred, avoid, neutral, drain', exit: 2 },
  FE0814: { title: 'farm certificate problem', hint: 'run `fester farm init --dir <dir>` and give agents and clients the files it made', exit: 2 },
  FE0815: { title: 'coordinator cannot listen', hint: 'choose another --listen address or port (is another coordinator running?)', exit: 3 },
  FE0816: { title: 'node retried too often', hint: 'the action failed for infrastructure reasons on every node tried; see the farm events in the journal', exit: 1 },
  FE0817: { title: 'stale lease', hint: 'the result came after the lease was revoked (dropout); the action ran again elsewhere', exit: 1 },
  // 09xx — snapshots (Btrfs subvolumes, qcow2 images)
  FE0901: { title: 'out dir is not a Btrfs subvolume', hint: 'put the out dir on Btrfs and make it a subvolume: btrfs subvolume create <out> (the snapshot plugin stays inert until then)', exit: 2 },
  FE0902: { title: 'btrfs tool not found', hint: 'install it: apt-get install btrfs-progs', exit: 3 },
  FE0903: { title: 'snapshot not found', hint: 'list the snapshots with `fester snapshot list` and give one of those names', exit: 2 },
  FE0904: { title: 'snapshot does not match its recorded digests', hint: 'the snapshot was changed after it was taken; delete it with `fester snapshot delete <name>`', exit: 1 },
  FE0905: { title: 'snapshot command failed', hint: 'see the tool output above; check free space and permissions (Btrfs snapshots need root or user_subvol_rm_allowed)', exit: 3 },
  FE0906: { title: 'qemu-img not found', hint: 'install it: apt-get install qemu-utils', exit: 3 },
  FE0907: { title: 'disk image is not qcow2', hint: 'internal snapshots need a qcow2 image: qemu-img convert -O qcow2 <image> <image>.qcow2', exit: 2 },
  FE0908: { title: 'qcow2 rollback test failed', hint: 'the node takes no production build until `fester snapshot verify --vm <node>` (the rollback test) passes', exit: 1 },
  FE0909: { title: 'qcow2 rollback test missing or too old', hint: 'run `fester snapshot verify --vm <node>` (the rollback test); production builds need a recent passing test', exit: 1 },
  FE0910: { title: 'unknown VM node', hint: 'list the node in the qcow2 plugin options (nodes: [{ id, image }]) in festerconfig.ts', exit: 2 },
  FE0911: { title: 'disk image not found', hint: 'check the image path in the qcow2 plugin options', exit: 2 },
  // 10xx — scheduler, thermal safety, simulator
  FE1001: { title: 'unknown scheduler mode', hint: 'use one of: unified, thermal, cache-first, target-isolated, intelligence (festerconfig `scheduler.mode` or --mode)', exit: 2 },
  FE1002: { title: 'invalid scheduler setting', hint: 'see docs/scheduler.md for `scheduler.seed` and `scheduler.weights`', exit: 2 },
  FE1003: { title: 'scheduler history unreadable', hint: 'it was set aside and the history starts empty; delete <cache dir>/scheduler/history.json if this repeats', exit: 1 },
  FE1010: { title: 'sysfs root does not exist', hint: 'check the thermal plugin\'s `sysfsRoot` (default /sys); temperatures of the local node are unknown until it exists', exit: 3 },
  FE1011: { title: 'garbage temperature reading', hint: 'the sensor was ignored (the node counts as not hot); check the sensor or its driver', exit: 1 },
  FE1012: { title: 'no temperature reading for a node', hint: 'the node counts as not hot; give agents a sysfs root with thermal_zone or hwmon sensors (--sysfs-root)', exit: 1 },
  FE1020: { title: 'malformed trace file', hint: 'see docs/scheduler.md for the trace format; `fester trace generate` and `fester trace export` write valid ones', exit: 2 },
  FE1021: { title: 'malformed farm file', hint: 'see docs/scheduler.md for the farm format; `fester trace generate farm` writes a valid one', exit: 2 },
  FE1022: { title: 'no simulated node can run an action of the trace', hint: 'give the farm a node whose `targets` include the action\'s target', exit: 2 },
  FE1023: { title: 'unknown trace generator', hint: 'use one of: wide, deep, mixed, farm', exit: 2 },
  FE1024: { title: 'nothing to export from the session', hint: 'export a session whose build executed actions (cache hits and up-to-date actions take no farm time)', exit: 2 },
  FE1025: { title: 'simulation cannot finish', hint: 'every node that could run the remaining actions is down for good; add nodes or shorten the dropouts in the farm file', exit: 1 },
  // 11xx — observability: the HTTP API, autopsy, metrics export
  FE1101: { title: 'unknown build', hint: 'list the builds with GET /api/builds (or look in .fester/sessions/); build ids look like <session id>.<n>', exit: 2 },
  FE1102: { title: 'unknown session', hint: 'list the sessions with GET /api/sessions; a session id is a journal file name in .fester/sessions/ without .jsonl', exit: 2 },
  FE1103: { title: 'unknown action in this build', hint: 'give an action id from GET /api/builds/<id> (or a unique suffix of one)', exit: 2 },
  FE1104: { title: 'malformed query parameter', hint: 'see docs/api.md for the parameters each endpoint takes', exit: 2 },
  FE1105: { title: 'unknown API endpoint', hint: 'see docs/api.md for the endpoints', exit: 2 },
  FE1106: { title: 'API server cannot listen', hint: 'choose another --port or --host (is another fester serving there?)', exit: 3 },
  FE1107: { title: 'no failed build to examine', hint: 'give a build id (`fester autopsy <build id>`); autopsy explains failed or interrupted builds', exit: 2 },
  FE1108: { title: 'cannot write the Grafana export', hint: 'check that --out is a writable folder', exit: 3 },
} as const satisfies Record<string, { title: string; hint: string; exit: number }>;

export type ErrorCode = keyof typeof CODES;
