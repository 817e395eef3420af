// Small value fixtures shared by the table tests.
import type { ManagedService } from '../../src/model.js';

/** A managed service: `www.example.com` on Ali, every node, update-only, TTL 600 s; `over` wins. */
export function service(over: Partial<ManagedService> = {}): ManagedService {
  return { serviceName: 'www', domain: 'example.com', record: 'www', platformProvider: 'Ali', nodes: [], allowCreate: false, ttl: 600, ...over };
}
