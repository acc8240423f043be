import replication from './replication.js';
import { testSuites } from './suite-tests.js';

testSuites('replication', replication);
