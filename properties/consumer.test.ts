import consumer from './consumer.js';
import { testSuites } from './suite-tests.js';

testSuites('consumer', consumer);
