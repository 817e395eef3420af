// One import for the rest of the tree: request signing (v2), sealing of secrets, redaction.
export * from './signing.js';
export * from './seal.js';
export * from './redact.js';
export * from './log-redact.js';
