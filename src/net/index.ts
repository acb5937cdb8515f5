export { type CheckedTarget, checkTarget, type GuardWording, normaliseHost, type ResolveFn, systemResolve, type TargetPolicy } from './guard.js';
