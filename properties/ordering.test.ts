import ordering from './ordering.js';
import { testSuites } from './suite-tests.js';

testSuites('ordering', ordering);
