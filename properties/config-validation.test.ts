import configValidation from './config-validation.js';
import { testSuites } from './suite-tests.js';

testSuites('config-validation', configValidation);
