import { describeRegisterVersion } from './suite.js';

describeRegisterVersion('2024-08');
