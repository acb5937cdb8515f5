// Drill: a pool of two VirusTotal keys at 4/minute each, over real HTTP (client -> gateway ->
// simulator) on a fake clock shared by the gateway and the simulator. The pool serves 8 lookups a
// minute with no 429 from upstream; revoking one key (the simulator answers 401) moves all work to
// the other, and the gateway says so (log line, /api/quota, /api/health, /metrics) by label only.
import { keyPoolDrill } from './test-support/key-pool-drill.js';

keyPoolDrill({ redis: false });
