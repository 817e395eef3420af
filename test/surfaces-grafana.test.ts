// The Grafana files under docker/ are kept correct by reading them: provisioning matches
// docker/compose.yaml, and every metric the dashboard queries exists on a real node's /metrics.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './helpers/node.js';
import { scrape, startCluster } from './helpers/surfaces-cluster.js';

const DOCKER = join(ROOT, 'docker');
const read = (rel: string) => readFileSync(join(DOCKER, rel), 'utf8');

interface Dashboard {
  uid: string;
  panels: { type: string; title: string; datasource?: { uid: string }; targets?: { expr: string; datasource?: { uid: string } }[] }[];
}

const dashboard = JSON.parse(read('grafana/dashboards/cocoasyncer.json')) as Dashboard;

test('provisioning points Grafana at the compose Prometheus and at the mounted dashboards folder', (t) => {
  const compose = parse(read('compose.yaml')) as { services: Record<string, { volumes?: string[] }> };
  const mounts = new Map((compose.services.grafana!.volumes ?? []).map((v) => v.split(':')).map(([from, to]) => [from!, to!]));
  t.is(mounts.get('./grafana/provisioning'), '/etc/grafana/provisioning');
  const dashboardsDir = mounts.get('./grafana/dashboards');
  t.truthy(dashboardsDir);
  t.truthy(compose.services.prometheus, 'compose runs a prometheus service');

  const ds = parse(read('grafana/provisioning/datasources/prometheus.yaml')) as { datasources: { uid: string; type: string; url: string }[] };
  t.is(ds.datasources.length, 1);
  t.is(ds.datasources[0]!.type, 'prometheus');
  t.is(ds.datasources[0]!.url, 'http://prometheus:9090');

  const providers = parse(read('grafana/provisioning/dashboards/cocoasyncer.yaml')) as { providers: { type: string; options: { path: string } }[] };
  t.is(providers.providers[0]!.type, 'file');
  t.is(providers.providers[0]!.options.path, dashboardsDir!);

  for (const p of dashboard.panels.filter((p) => p.type !== 'row')) {
    t.is(p.datasource?.uid, ds.datasources[0]!.uid, `panel "${p.title}" uses the provisioned datasource`);
  }
});

test('every metric the dashboard queries is exposed by a node', async (t) => {
  const { leader } = await startCluster(t);
  const exposed = new Set((await scrape(leader)).keys());
  const queried = new Set<string>();
  for (const p of dashboard.panels) {
    for (const target of p.targets ?? []) {
      for (const [name] of target.expr.matchAll(/\b(?:cocoasyncer_[a-z0-9_]+|cocoaSyncerStatus|process_[a-z0-9_]+|nodejs_[a-z0-9_]+)/g)) queried.add(name);
    }
  }
  t.true(queried.size >= 20, `${queried.size} metrics queried`);
  for (const name of queried) {
    const family = name.replace(/_(bucket|sum|count)$/, '');
    t.true(exposed.has(name) || exposed.has(family), `${name} is exposed`);
  }
});
