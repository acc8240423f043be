import findings from './findings.js';
import { testSuites } from './suite-tests.js';

testSuites('findings', findings);
