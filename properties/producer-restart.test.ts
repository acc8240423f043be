import producerRestart from './producer-restart.js';
import { testSuites } from './suite-tests.js';

testSuites('producer-restart', producerRestart);
