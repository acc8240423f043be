import deliveryLevels from './delivery-levels.js';
import { testSuites } from './suite-tests.js';

testSuites('delivery-levels', deliveryLevels);
