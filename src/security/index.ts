// One import for the rest of the tree: request signing (v2), sealing of secrets, redaction,
// masking, and the list of secrets this node knows.
export * from './signing.js';
export * from './seal.js';
export * from './redact.js';
export * from './mask.js';
export * from './known-secrets.js';
export * from './log-redact.js';
