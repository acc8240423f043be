import transactions from './transactions.js';
import { testSuites } from './suite-tests.js';

testSuites('transactions', transactions, {
  // `check` runs 30,000 runs; at the default seed 11 reach StaleEndTxnFenced, the first run 8,461
  // (0-based). The test runs the first 3,000 and replays that one: 2 s instead of 17.
  'txn.kafka-17754-stale-endtxn-tv2': { runs: 3000, witnessRun: 8_461 },
});
