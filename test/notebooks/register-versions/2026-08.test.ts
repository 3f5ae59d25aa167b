import { describeRegisterVersion } from './suite.js';

describeRegisterVersion('2026-08');
