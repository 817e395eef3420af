// Small value fixtures shared by the table tests.
import type { ClusterNode, ManagedService } from '../../src/model.js';

/** A managed service: `www.example.com` on Ali, every node, update-only, TTL 600 s; `over` wins. */
export function service(over: Partial<ManagedService> = {}): ManagedService {
  return { serviceName: 'www', domain: 'example.com', record: 'www', platformProvider: 'Ali', nodes: [], allowCreate: false, ttl: 600, ...over };
}

/** A follower node `code` at `http://CODE.example:44443` serving CU over IPv4, up; `extra` wins. */
export function clusterNode(code: string, extra: Partial<ClusterNode> = {}): ClusterNode {
  return {
    nodeCode: code,
    nodeName: code,
    nodeAddress: `http://${code}.example:44443`,
    workMode: 'follower',
    secret: `${code}-secret-0123`,
    isps: ['CU'],
    networkType: 'IPV4',
    statusCode: 200,
    watchDog: '2026-11-30T00:00:00.000Z',
    ...extra,
  };
}
