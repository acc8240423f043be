import transactions from './transactions.js';
import { testSuites } from './suite-tests.js';

testSuites('transactions', transactions);
