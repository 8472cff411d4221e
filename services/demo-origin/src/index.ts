export { startDemoOrigin, type DemoOriginOptions } from './demo-origin.js';
