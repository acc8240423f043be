// The worker's entry when the CLI runs from source (tests, tsx): worker threads do not inherit
// tsx's loader, so register it, then load the TypeScript worker. The built CLI in dist/ starts the
// compiled check-worker.js instead (worker-run.ts, workerEntry).
import { register } from 'tsx/esm/api';

register();
await import('./check-worker.ts');
