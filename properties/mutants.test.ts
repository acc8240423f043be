import mutants from './mutants.js';
import { testSuites } from './suite-tests.js';

testSuites('mutants', mutants);
