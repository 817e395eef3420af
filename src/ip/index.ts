// Public address detection: one entry point per concern.
export { normalizeAddress, isAddressOf, familyOf } from './address.js';
export { classifyAddress, isGlobalAddress, type Classification } from './classify.js';
export { agree, stepStable, StableIp, INITIAL_STABLE, type StableState } from './agree.js';
export { DEFAULT_IP_SOURCES, readHttp, readCommand } from './sources.js';
export { interfaceBindAddress, readInterface, chooseIpv6, parseIfInet6, systemInterfaces, IFA_F, type InterfaceSource, type InterfaceTable, type Inet6Entry } from './interfaces.js';
export { detectIp, type IpDetectConfig, type DetectResult, type IpReading, type DetectDeps } from './detect.js';
export { INITIAL_SLOT_READING, stepSlotReading, publishedOf, type SlotReadingState } from './slot-reading.js';
