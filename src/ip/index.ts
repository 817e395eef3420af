// Public address detection: one entry point per concern.
export { normalizeAddress, isAddressOf, familyOf } from './address.js';
export { agree, stepStable, StableIp, INITIAL_STABLE, type StableState } from './agree.js';
export { DEFAULT_IP_SOURCES, readHttp, readInterface, readCommand } from './sources.js';
export { detectIp, type IpDetectConfig, type DetectResult, type IpReading, type DetectDeps } from './detect.js';
